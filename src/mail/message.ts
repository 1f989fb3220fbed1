// One mail as the application composes it. Every mail has both a plain-text and an HTML body:
// the text part is what careful mail clients and screen readers show, the HTML part the rest.
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

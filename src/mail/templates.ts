// The mails Tessera sends (docs/accounts.md: verification, reset, and notices of lockout and of
// password, email and 2FA changes). Each is written once as a list of blocks and rendered twice,
// as text and as HTML, so the two parts never say different things. Subjects hold no
// interpolated values; every value that reaches the HTML goes through escapeHtml.
import type { MailMessage } from './message.js';

export type MailContent = Omit<MailMessage, 'to'>;

/** A paragraph, or a link shown as a button. */
type Block = string | { label: string; url: string };

const PRODUCT = 'Tessera';
const NOT_YOU_RESET =
  'If this wasn\'t you, reset your password right away ("Forgot password" on the sign-in page) and tell your administrator.';

export function verifyEmail({ name, link }: { name: string; link: string }): MailContent {
  return render(name, 'Verify your email address', [
    `Welcome to ${PRODUCT}! Please confirm that this is your email address:`,
    { label: 'Verify email address', url: link },
    'The link works for 24 hours.',
    `If you didn't create a ${PRODUCT} account, you can ignore this email.`,
  ]);
}

export function alreadyRegistered({ name, signInLink, resetLink }: { name: string; signInLink: string; resetLink: string }): MailContent {
  return render(name, `You already have a ${PRODUCT} account`, [
    `Someone, probably you, tried to create a new ${PRODUCT} account with this email address. You already have one, so nothing was created.`,
    'You can sign in here:',
    { label: 'Sign in', url: signInLink },
    'Forgot your password? Choose a new one here:',
    { label: 'Reset password', url: resetLink },
    "If this wasn't you, you can ignore this email: your account has not changed.",
  ]);
}

export function resetPassword({ name, link }: { name: string; link: string }): MailContent {
  return render(name, `Reset your ${PRODUCT} password`, [
    `We received a request to reset the password of your ${PRODUCT} account. Choose a new password here:`,
    { label: 'Choose a new password', url: link },
    'The link works for 1 hour and only once.',
    "If you didn't ask for this, you can ignore this email: your password stays as it is.",
  ]);
}

export function accountLocked({ name, until, resetLink }: { name: string; until: Date; resetLink: string }): MailContent {
  return render(name, `Your ${PRODUCT} account is temporarily locked`, [
    `There were too many failed sign-in attempts on your ${PRODUCT} account, so it is locked until ${formatUtc(until)}.`,
    'If that was you, wait until then and try again.',
    "If it wasn't you, someone may be trying to guess your password. Choose a new one to be safe:",
    { label: 'Reset password', url: resetLink },
  ]);
}

export function passwordChanged({ name }: { name: string }): MailContent {
  return render(name, `Your ${PRODUCT} password was changed`, [
    `The password of your ${PRODUCT} account was just changed. If that was you, there is nothing to do.`,
    NOT_YOU_RESET,
  ]);
}

/** To the old address, when a change is requested. */
export function emailChangeRequested({ name, newEmail }: { name: string; newEmail: string }): MailContent {
  return render(name, `Your ${PRODUCT} email address is being changed`, [
    `Someone asked to change the email address of your ${PRODUCT} account to ${newEmail}. This address stays in use until the new one is confirmed.`,
    NOT_YOU_RESET,
  ]);
}

/** To the new address, to prove it is the user's. */
export function verifyNewEmail({ name, link }: { name: string; link: string }): MailContent {
  return render(name, 'Confirm your new email address', [
    `Please confirm that you want to use this email address for your ${PRODUCT} account:`,
    { label: 'Confirm email address', url: link },
    'The link works for 24 hours. Until you confirm, your old address stays in use.',
    "If you didn't ask for this, you can ignore this email: nothing will change.",
  ]);
}

/** To the old address, once the change took effect. */
export function emailChanged({ name, newEmail }: { name: string; newEmail: string }): MailContent {
  return render(name, `Your ${PRODUCT} email address was changed`, [
    `The email address of your ${PRODUCT} account is now ${newEmail}. This address will no longer get mail about your account.`,
    "If this wasn't you, tell your administrator right away.",
  ]);
}

export function mfaEnabled({ name }: { name: string }): MailContent {
  return render(name, 'Two-factor authentication is on', [
    `Two-factor authentication was turned on for your ${PRODUCT} account. Signing in now needs a code from your authenticator app as well as your password. Keep your backup codes somewhere safe.`,
    NOT_YOU_RESET,
  ]);
}

export function mfaDisabled({ name }: { name: string }): MailContent {
  return render(name, 'Two-factor authentication is off', [
    `Two-factor authentication was turned off for your ${PRODUCT} account. Signing in now needs only your password.`,
    NOT_YOU_RESET,
  ]);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(name: string, subject: string, blocks: Block[]): MailContent {
  for (const block of blocks) {
    // Links come from the issuer, never from user input; a javascript: URL here is a bug.
    if (typeof block !== 'string' && !/^https?:\/\//i.test(block.url)) throw new Error(`mail link is not http(s): ${block.label}`);
  }
  const greeting = name.trim() === '' ? 'Hello,' : `Hello ${name.trim()},`;
  return { subject, text: renderText(greeting, blocks), html: renderHtml(subject, greeting, blocks) };
}

function renderText(greeting: string, blocks: Block[]): string {
  const body = blocks.map((block) => (typeof block === 'string' ? block : `${block.label}: ${block.url}`));
  return [greeting, ...body, `— ${PRODUCT}`].join('\n\n') + '\n';
}

// Inline styles only and nothing remote: many clients strip <style> and block external content.
const FONT = 'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif';
const PARAGRAPH = 'margin:0 0 16px;font-size:15px;line-height:1.5;color:#1f2933';
const BUTTON =
  'display:inline-block;padding:10px 18px;border-radius:6px;background:#2f5bd3;color:#ffffff;text-decoration:none;font-weight:600';
const FINE_PRINT = 'margin:0 0 16px;font-size:12px;line-height:1.5;color:#6b7280;word-break:break-all';

function renderHtml(subject: string, greeting: string, blocks: Block[]): string {
  const body = blocks.map((block) => {
    if (typeof block === 'string') return `<p style="${PARAGRAPH}">${escapeHtml(block)}</p>`;
    const url = escapeHtml(block.url);
    return (
      `<p style="${PARAGRAPH}"><a href="${url}" style="${BUTTON}">${escapeHtml(block.label)}</a></p>` +
      `<p style="${FINE_PRINT}">If the button does not work, copy this link into your browser:<br>${url}</p>`
    );
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f4f5f7;${FONT}">`,
    '<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px">',
    `<p style="${PARAGRAPH}">${escapeHtml(greeting)}</p>`,
    ...body,
    `<p style="${PARAGRAPH}">— ${PRODUCT}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A fixed, unambiguous form ("2026-11-21 14:30 UTC"), as the server does not know the reader's time
 * zone; rounded up to the minute so that the account is really open again at the time shown.
 */
function formatUtc(date: Date): string {
  const roundedUp = new Date(Math.ceil(date.getTime() / 60_000) * 60_000);
  return `${roundedUp.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

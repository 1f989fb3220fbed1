// How a mail leaves the process: over SMTP when SMTP_URL is set, otherwise as an .eml file in
// MAIL_OUTBOX_DIR (README, Configuration), which is how development and tests read their mail.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Config } from '../config/config.js';
import type { MailMessage } from './message.js';

/** A mail ready to leave: its outbox id becomes the Message-ID, the same on every retry. */
export type OutgoingMail = MailMessage & { from: string; id: string };

export interface MailTransport {
  /** Resolves once the SMTP server accepted the mail (or the file is written); rejects otherwise. */
  send(message: OutgoingMail): Promise<void>;
  close(): void;
}

/** Per SMTP phase, so a server that hangs fails the attempt instead of stalling the worker. */
const SMTP_TIMEOUT_MS = 10_000;

export function createTransport(config: Config): MailTransport {
  return config.smtpUrl === undefined ? fileTransport(config.mailOutboxDir) : smtpTransport(config.smtpUrl);
}

function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(message) {
      await transporter.sendMail(mailOptions(message));
    },
    close: () => transporter.close(),
  };
}

function fileTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async send(message) {
      const info = await transporter.sendMail(mailOptions(message));
      // Owner-only, folder and files: the mails carry sign-in and reset links.
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${new Date().toISOString()}-${message.id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
    },
    close: () => transporter.close(),
  };
}

function mailOptions(message: OutgoingMail): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.id}@${senderDomain(message.from)}>`,
  };
}

/** The domain of the From address, the conventional right-hand side of a Message-ID (RFC 5322 §3.6.4). */
function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
}

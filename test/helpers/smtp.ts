// A real SMTP server on loopback (smtp-server) that keeps what it is sent, and just enough MIME
// parsing to read those mails back: headers, and the decoded parts of a multipart body.
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { SMTPServer } from 'smtp-server';

export interface ParsedMail {
  headers: Map<string, string>;
  parts: Array<{ type: string; body: string }>;
}

/** Just enough MIME to check what we send: headers, and the parts of a multipart body, decoded. */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHeaders(raw.replace(/\r\n/g, '\n'));
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  const sections = boundary ? body.split(`--${boundary}`).slice(1, -1) : [];
  const parts = sections.map((section) => {
    const part = splitHeaders(section.replace(/^\n/, ''));
    const type = (part.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { type, body: decodeBody(part.body, part.headers.get('content-transfer-encoding')) };
  });
  return { headers, parts };
}

function splitHeaders(text: string): { headers: Map<string, string>; body: string } {
  const end = text.indexOf('\n\n');
  const headers = new Map<string, string>();
  for (const line of text.slice(0, end).replace(/\n(?=[ \t])/g, '').split('\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: text.slice(end + 2) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

export interface SmtpSink {
  port: number;
  received: ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it is sent (on `port`, or any free one). */
export async function startSmtpServer(t: ExecutionContext, port = 0): Promise<SmtpSink> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(parseMail(Buffer.concat(chunks).toString('utf8')));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text part of a mail. */
export const textOf = (mail: ParsedMail): string => mail.parts.find((part) => part.type === 'text/plain')?.body ?? '';

/** The first link in a mail's text that starts with `prefix`, and the token in its query. */
export function linkIn(mail: ParsedMail, prefix: string): { url: string; token: string } {
  const url = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\s>]*`).exec(textOf(mail))?.[0];
  if (!url) throw new Error(`no link starting with ${prefix} in: ${textOf(mail)}`);
  return { url, token: new URL(url).searchParams.get('token') ?? '' };
}

/** Waits until a mail to `to` arrives whose subject matches, and returns it. */
export async function waitForMail(sink: SmtpSink, to: string, subject: RegExp, timeoutMs = 10_000): Promise<ParsedMail> {
  const started = Date.now();
  for (;;) {
    const mail = sink.received.find((m) => (m.headers.get('to') ?? '').includes(to) && subject.test(m.headers.get('subject') ?? ''));
    if (mail) return mail;
    if (Date.now() - started > timeoutMs) throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


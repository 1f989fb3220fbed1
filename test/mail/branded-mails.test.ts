// Mails over a real server and a real SMTP server: BRAND_NAME in them, and the language of the
// request that caused them (Accept-Language), except what an administrator causes, which is English
// (docs/account.md, Languages).
import test from 'ava';
import { api, newPerson, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { linkIn, textOf, waitForMail, type ParsedMail } from '../helpers/smtp.js';

const htmlOf = (mail: ParsedMail): string => mail.parts.find((part) => part.type === 'text/html')?.body ?? '';

/** The subject with its RFC 2047 encoded words decoded (how non-ASCII subjects travel). */
const subjectOf = (mail: ParsedMail): string =>
  (mail.headers.get('subject') ?? '').replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
    encoding.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );

test('BRAND_NAME=Acme names Acme in the verification mail, in its text and HTML parts', async (t) => {
  const server = await startAccountServer(t, { env: { BRAND_NAME: 'Acme', BRAND_ACCENT: '#e11d48' } });
  const person = newPerson();
  t.is((await api(server, 'POST', '/auth/register', { body: person })).status, 202);
  const mail = await waitForMail(server.smtp, person.email, /verify/i);
  t.is(subjectOf(mail), 'Verify your email address');
  t.regex(textOf(mail), /^Hello Ada,\n\nWelcome to Acme!/);
  t.regex(textOf(mail), /Kind regards,\nAcme/);
  t.notRegex(textOf(mail), /Tessera/, 'the product name gives way to the brand');
  t.regex(htmlOf(mail), /<html lang="en">/);
  t.regex(htmlOf(mail), /class="t-brand"[^>]*>Acme<\/td>/, 'the brand at the top of the HTML part');
  t.regex(htmlOf(mail), /class="t-button"[^>]*background:#e11d48/, 'the accent on the button');
  t.truthy(linkIn(mail, `${server.config.issuer}/verify-email`).token, 'the link as before');
});

test('a registration with Accept-Language: de gets a German mail; a reset asked for in German too; one an administrator sends is English', async (t) => {
  const server = await startAccountServer(t, { env: { BRAND_NAME: 'Acme' } });
  const person = newPerson('Grete');
  const german = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };
  t.is((await api(server, 'POST', '/auth/register', { body: person, headers: german })).status, 202);
  const welcome = await waitForMail(server.smtp, person.email, /Best/);
  t.is(subjectOf(welcome), 'Bestätigen Sie Ihre E-Mail-Adresse');
  t.regex(textOf(welcome), /^Guten Tag Grete,\n\nWillkommen bei Acme!/);
  t.regex(textOf(welcome), /E-Mail-Adresse bestätigen: http/);
  t.regex(textOf(welcome), /Freundliche Grüße\nAcme/);
  t.regex(htmlOf(welcome), /<html lang="de">/);
  t.regex(htmlOf(welcome), /Falls die Schaltfl/);
  const { token } = linkIn(welcome, `${server.config.issuer}/verify-email`);
  t.is((await api(server, 'POST', '/auth/verify-email', { body: { token } })).status, 200);

  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email }, headers: german })).status, 202);
  const reset = await waitForMail(server.smtp, person.email, /Passwort/);
  t.is(subjectOf(reset), 'Passwort für Acme zurücksetzen');
  t.regex(textOf(reset), /Neues Passwort wählen: http/);

  const admin = await signedInAdmin(server);
  const user = await server.services.db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirstOrThrow();
  const sent = await api(server, 'POST', `/admin/users/${user.id}/reset-password`, { token: admin.token, headers: german });
  t.true(sent.status >= 200 && sent.status < 300, `admin reset: ${sent.status} ${JSON.stringify(sent.body)}`);
  const fromAdmin = await waitForMail(server.smtp, person.email, /^Reset your Acme password$/);
  t.regex(textOf(fromAdmin), /^Hello Grete,/);
});

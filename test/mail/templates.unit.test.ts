// The mail templates: every value escaped in the HTML part and kept as is in the text part, the
// brand and the reader's language in every mail, the accent on the button with readable text, and
// dates written in the reader's language.
import test from 'ava';
import { contrastRatio } from '../../src/config/brand-colours.js';
import type { Locale } from '../../src/i18n/locale.js';
import * as templates from '../../src/mail/templates.js';
import type { MailContent, MailFrame } from '../../src/mail/templates.js';

const UNTIL = new Date(Date.parse('2026-11-21T10:00:00Z') + 15 * 60_000 - 1_500);
const name = '<script>alert("x")</script> & Co';
const link = 'https://idp.example.test/verify-email?token=a&b="c"';
const newEmail = '<b>new</b>@example.test';

const everyMail = (frame: MailFrame): MailContent[] => [
  templates.verifyEmail(frame, { name, link }),
  templates.alreadyRegistered(frame, { name, signInLink: link, resetLink: link }),
  templates.resetPassword(frame, { name, link }),
  templates.accountLocked(frame, { name, until: UNTIL, resetLink: link }),
  templates.passwordChanged(frame, { name }),
  templates.emailChangeRequested(frame, { name, newEmail }),
  templates.verifyNewEmail(frame, { name, link }),
  templates.emailChanged(frame, { name, newEmail }),
  templates.mfaEnabled(frame, { name }),
  templates.mfaDisabled(frame, { name }),
];

/** The visible text of the HTML part, roughly: tags dropped, entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

test('templates escape every value in the HTML part and keep it as is in the text part', (t) => {
  for (const locale of ['en', 'de'] as const) {
    for (const content of everyMail({ brand: 'Tessera', locale })) {
      t.true(content.text.includes(name), content.subject);
      t.false(content.html.includes('<script>'), content.subject);
      t.false(content.html.includes('<b>new</b>'), content.subject);
      t.true(content.html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Co'), content.subject);
      t.true(content.html.startsWith(`<!DOCTYPE html>\n<html lang="${locale}">`), content.subject);
      t.false(/<img|<script|src=|<link|url\(/i.test(content.html), 'no remote images, scripts or style sheets');
      t.true(content.subject.length <= 200 && !content.subject.includes(name), 'fits the outbox column, names nobody');
    }
  }
  const verify = templates.verifyEmail({ brand: 'Tessera' }, { name, link });
  t.true(verify.text.includes(link), 'the text part has the raw link');
  t.true(verify.html.includes('href="https://idp.example.test/verify-email?token=a&#38;b=&#34;c&#34;"'));
  t.throws(() => templates.verifyEmail({ brand: 'Tessera' }, { name, link: 'javascript:alert(1)' }));
});

test('every mail names the brand, escaped in the HTML part', (t) => {
  const brand = 'Acme <Login> & Co';
  for (const content of everyMail({ brand, locale: 'en' })) {
    t.true(content.text.includes(brand), `text of: ${content.subject}`);
    t.true(content.html.includes('Acme &#60;Login&#62; &#38; Co'), `html of: ${content.subject}`);
    t.false(content.html.includes('<Login>'));
  }
  t.is(templates.resetPassword({ brand: 'Acme' }, { name: 'Ada', link }).subject, 'Reset your Acme password');
});

test('the language of the frame writes the whole mail, greeting and sign-off included; English without one', (t) => {
  const german = templates.verifyEmail({ brand: 'Acme', locale: 'de' }, { name: 'Ada', link });
  t.is(german.subject, 'Bestätigen Sie Ihre E-Mail-Adresse');
  t.regex(german.text, /^Guten Tag Ada,\n\nWillkommen bei Acme!/);
  t.true(german.text.includes(`E-Mail-Adresse bestätigen: ${link}`), 'the button as label and link in the text part');
  t.true(german.text.includes('Freundliche Grüße\nAcme'));
  t.regex(visible(german.html), /Falls die Schaltfläche nicht funktioniert/);
  t.false(/\b(Hello|Please|the link|If you)\b/.test(visible(german.html)), 'no English left in the German HTML part');

  const english = templates.verifyEmail({ brand: 'Acme' }, { name: '  ', link });
  t.is(english.subject, 'Verify your email address');
  t.regex(english.text, /^Hello,\n\nWelcome to Acme!/, 'no name: a greeting without one');
  t.true(english.html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
});

test('the lock time is written in the reader\'s language, in UTC, rounded up to the minute', (t) => {
  const when = (locale: Locale) => templates.accountLocked({ brand: 'Acme', locale }, { name: 'Ada', until: UNTIL, resetLink: link }).text;
  t.true(when('en').includes('locked until November 21, 2026 at 10:15 AM UTC.'), when('en'));
  t.true(when('de').includes('bis 21. November 2026 um 10:15 UTC gesperrt.'), when('de'));
});

test('the button has the accent and text readable on it; the HTML part has a dark scheme', (t) => {
  const yellow = templates.resetPassword({ brand: 'Acme', accent: '#ffff00' }, { name: 'Ada', link }).html;
  const button = /<a class="t-button"[^>]*style="([^"]*)"/.exec(yellow)?.[1] ?? '';
  const background = /background:(#[0-9a-f]{6})/.exec(button)?.[1];
  const colour = /(?:^|;)color:(#[0-9a-f]{6})/.exec(button)?.[1];
  t.is(background, '#ffff00');
  t.is(colour, '#000000', 'black on yellow');
  t.true(contrastRatio(background!, colour!) >= 4.5);
  t.regex(yellow, /@media \(prefers-color-scheme: dark\)/);
  t.regex(yellow, /<meta name="color-scheme" content="light dark">/);

  const plain = templates.resetPassword({ brand: 'Acme' }, { name: 'Ada', link }).html;
  t.regex(plain, /class="t-button"[^>]*background:#3355d6/, 'the default accent without BRAND_ACCENT');
});

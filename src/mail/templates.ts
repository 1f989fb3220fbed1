// The mails Tessera sends (docs/accounts.md: verification, reset, and notices of lockout and of
// password, email and 2FA changes). Each is written once as a list of blocks and rendered twice,
// as text and as HTML, so the two parts never say different things. The words come from the
// catalogue of the reader's language (src/i18n/*/mail.ts; docs/account.md, Languages) and name the
// brand (BRAND_NAME). Subjects hold no value a person typed; every value that reaches the HTML
// goes through escapeHtml.
import { accentColours, PALETTE } from '../config/brand-colours.js';
import type { Config } from '../config/config.js';
import { catalogue, type Catalogue } from '../i18n/catalogue.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locale.js';
import type { MailMessage } from './message.js';

export type MailContent = Omit<MailMessage, 'to'>;

/** Whose mail it is and in which language: the brand from the config, the locale of the request. */
export interface MailFrame {
  brand: string;
  /** BRAND_ACCENT, for the button; the default accent when unset. */
  accent?: string | undefined;
  /** The language of the request that caused the mail; English when none (the CLI, an administrator). */
  locale?: Locale | undefined;
}

/** The frame for a mail sent on behalf of `config`'s brand, in `locale`. */
export const mailFrame = (config: Pick<Config, 'brandName' | 'brandAccent'>, locale?: Locale): MailFrame => ({
  brand: config.brandName,
  accent: config.brandAccent,
  locale,
});

/** A paragraph, or a link shown as a button. */
type Block = string | { label: string; url: string };

type Words = Catalogue['mail'];

interface Draft {
  subject: string;
  blocks: Block[];
}

export function verifyEmail(frame: MailFrame, { name, link }: { name: string; link: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.verifyEmail.subject,
    blocks: [m.verifyEmail.intro(brand), { label: m.verifyEmail.button, url: link }, m.verifyEmail.expiry, m.verifyEmail.notYou(brand)],
  }));
}

export function alreadyRegistered(frame: MailFrame, { name, signInLink, resetLink }: { name: string; signInLink: string; resetLink: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.alreadyRegistered.subject(brand),
    blocks: [
      m.alreadyRegistered.intro(brand),
      m.alreadyRegistered.signInIntro,
      { label: m.alreadyRegistered.signInButton, url: signInLink },
      m.alreadyRegistered.resetIntro,
      { label: m.alreadyRegistered.resetButton, url: resetLink },
      m.alreadyRegistered.notYou,
    ],
  }));
}

export function resetPassword(frame: MailFrame, { name, link }: { name: string; link: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.resetPassword.subject(brand),
    blocks: [m.resetPassword.intro(brand), { label: m.resetPassword.button, url: link }, m.resetPassword.expiry, m.resetPassword.notYou],
  }));
}

export function accountLocked(frame: MailFrame, { name, until, resetLink }: { name: string; until: Date; resetLink: string }): MailContent {
  return compose(frame, name, (m, brand, locale) => ({
    subject: m.accountLocked.subject(brand),
    blocks: [
      m.accountLocked.intro(brand, formatUntil(until, locale)),
      m.accountLocked.wasYou,
      m.accountLocked.notYou,
      { label: m.accountLocked.button, url: resetLink },
    ],
  }));
}

export function passwordChanged(frame: MailFrame, { name }: { name: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.passwordChanged.subject(brand),
    blocks: [m.passwordChanged.body(brand), m.notYouReset],
  }));
}

/** To the old address, when a change is requested. */
export function emailChangeRequested(frame: MailFrame, { name, newEmail }: { name: string; newEmail: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.emailChangeRequested.subject(brand),
    blocks: [m.emailChangeRequested.body(brand, newEmail), m.notYouReset],
  }));
}

/** To the new address, to prove it is the user's. */
export function verifyNewEmail(frame: MailFrame, { name, link }: { name: string; link: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.verifyNewEmail.subject,
    blocks: [m.verifyNewEmail.intro(brand), { label: m.verifyNewEmail.button, url: link }, m.verifyNewEmail.expiry, m.verifyNewEmail.notYou],
  }));
}

/** To the old address, once the change took effect. */
export function emailChanged(frame: MailFrame, { name, newEmail }: { name: string; newEmail: string }): MailContent {
  return compose(frame, name, (m, brand) => ({
    subject: m.emailChanged.subject(brand),
    blocks: [m.emailChanged.body(brand, newEmail), m.emailChanged.notYou],
  }));
}

export function mfaEnabled(frame: MailFrame, { name }: { name: string }): MailContent {
  return compose(frame, name, (m, brand) => ({ subject: m.mfaEnabled.subject, blocks: [m.mfaEnabled.body(brand), m.notYouReset] }));
}

export function mfaDisabled(frame: MailFrame, { name }: { name: string }): MailContent {
  return compose(frame, name, (m, brand) => ({ subject: m.mfaDisabled.subject, blocks: [m.mfaDisabled.body(brand), m.notYouReset] }));
}

/** A passkey was added (docs/passkeys.md): `passkey` is its name, which the person chose. */
export function passkeyAdded(frame: MailFrame, { name, passkey }: { name: string; passkey: string }): MailContent {
  return compose(frame, name, (m, brand) => ({ subject: m.passkeyAdded.subject, blocks: [m.passkeyAdded.body(brand, passkey), m.notYouReset] }));
}

export function passkeyRemoved(frame: MailFrame, { name, passkey }: { name: string; passkey: string }): MailContent {
  return compose(frame, name, (m, brand) => ({ subject: m.passkeyRemoved.subject, blocks: [m.passkeyRemoved.body(brand, passkey), m.notYouReset] }));
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function compose(frame: MailFrame, name: string, write: (words: Words, brand: string, locale: Locale) => Draft): MailContent {
  const locale = frame.locale ?? DEFAULT_LOCALE;
  const words = catalogue(locale).mail;
  const { subject, blocks } = write(words, frame.brand, locale);
  for (const block of blocks) {
    // Links come from the issuer, never from user input; a javascript: URL here is a bug.
    if (typeof block !== 'string' && !/^https?:\/\//i.test(block.url)) throw new Error(`mail link is not http(s): ${block.label}`);
  }
  const letter: Letter = {
    locale,
    brand: frame.brand,
    accent: frame.accent,
    subject,
    greeting: name.trim() === '' ? words.greetingWithoutName : words.greeting(name.trim()),
    blocks,
    signOff: words.signOff(frame.brand),
    automated: words.automated(frame.brand),
    buttonFallback: words.buttonFallback,
  };
  return { subject, text: renderText(letter), html: renderHtml(letter) };
}

interface Letter {
  locale: Locale;
  brand: string;
  accent: string | undefined;
  subject: string;
  greeting: string;
  blocks: Block[];
  signOff: string;
  automated: string;
  buttonFallback: string;
}

function renderText(letter: Letter): string {
  const body = letter.blocks.map((block) => (typeof block === 'string' ? block : `${block.label}: ${block.url}`));
  return [letter.greeting, ...body, letter.signOff, letter.automated].join('\n\n') + '\n';
}

// Inline styles and nothing remote: many clients strip <style> and block external content. Every
// element gets its own background and text colour, so that clients which invert mails for their
// dark mode (Outlook, Gmail's apps) invert a consistent whole. Clients that honour
// `prefers-color-scheme` (Apple Mail and others) get the pages' dark scheme from the one <style>
// block; it only overrides, so a client that drops it still shows the light mail.
const FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const light = PALETTE.light;
const dark = PALETTE.dark;

function renderHtml(letter: Letter): string {
  const colours = accentColours(letter.accent);
  const paragraph = `margin:0 0 16px;font-size:16px;line-height:1.55;color:${light.text};${FONT}`;
  const finePrint = `margin:0 0 16px;font-size:13px;line-height:1.5;color:${light.muted};${FONT}`;
  const button =
    `display:inline-block;padding:12px 22px;border-radius:8px;background:${colours.accent};border:1px solid ${colours.accent};` +
    `color:${colours.onAccent};text-decoration:none;font-weight:600;font-size:16px;line-height:1.2;${FONT}`;
  const text = (value: string) => escapeHtml(value).replace(/\n/g, '<br>');
  const body = letter.blocks.map((block) => {
    if (typeof block === 'string') return `<p class="t-text" style="${paragraph}">${text(block)}</p>`;
    const url = escapeHtml(block.url);
    return (
      `<p style="margin:24px 0;${FONT}"><a class="t-button" href="${url}" style="${button}">${escapeHtml(block.label)}</a></p>` +
      `<p class="t-muted" style="${finePrint}">${escapeHtml(letter.buttonFallback)}<br>` +
      `<a class="t-link" href="${url}" style="color:${colours.lightLink};text-decoration:underline;word-break:break-all">${url}</a></p>`
    );
  });
  return [
    '<!DOCTYPE html>',
    `<html lang="${letter.locale}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="supported-color-schemes" content="light dark">',
    `<title>${escapeHtml(letter.subject)}</title>`,
    '<style>',
    '@media (prefers-color-scheme: dark) {',
    `  .t-page { background:${dark.page} !important; }`,
    `  .t-card { background:${dark.surface} !important; border-color:${dark.border} !important; }`,
    `  .t-text, .t-brand { color:${dark.text} !important; }`,
    `  .t-muted { color:${dark.muted} !important; }`,
    `  .t-link { color:${colours.darkLink} !important; }`,
    '}',
    '</style>',
    '</head>',
    `<body class="t-page" style="margin:0;padding:0;background:${light.page};color:${light.text};${FONT}">`,
    `<table role="presentation" class="t-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${light.page}">`,
    '<tr><td align="center" style="padding:32px 12px">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px">',
    `<tr><td class="t-brand" style="padding:0 4px 16px;font-size:20px;font-weight:700;line-height:1.3;color:${light.text};${FONT}">${escapeHtml(letter.brand)}</td></tr>`,
    `<tr><td class="t-card" style="padding:32px 28px;background:${light.surface};border:1px solid ${light.border};border-radius:12px">`,
    `<h1 class="t-text" style="margin:0 0 20px;font-size:22px;line-height:1.3;font-weight:700;color:${light.text};${FONT}">${escapeHtml(letter.subject)}</h1>`,
    `<p class="t-text" style="${paragraph}">${escapeHtml(letter.greeting)}</p>`,
    ...body,
    `<p class="t-text" style="${paragraph};margin-bottom:0">${text(letter.signOff)}</p>`,
    '</td></tr>',
    `<tr><td class="t-muted" style="padding:16px 4px;font-size:13px;line-height:1.5;color:${light.muted};${FONT}">${escapeHtml(letter.automated)}</td></tr>`,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * When a lock ends, in the reader's language and in UTC with the zone named, as the server does not
 * know the reader's time zone; rounded up to the minute so that the account is really open again
 * at the time shown.
 */
function formatUntil(date: Date, locale: Locale): string {
  const roundedUp = new Date(Math.ceil(date.getTime() / 60_000) * 60_000);
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  }).format(roundedUp);
}

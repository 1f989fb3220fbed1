// A session's device in words ("Firefox on Windows") from its User-Agent header (RFC 9110 §10.1.5),
// for the sessions page (docs/account.md). A small hand-written reader of the common browsers and
// systems, not a full parser: the header is free text a client chooses, so the words are a hint
// for a person recognising their own devices, never a fact the provider relies on. Browser and
// system names are product names, the same in every language; the page puts them in a sentence.

export interface Device {
  /** The browser or app, when recognised. */
  browser: string | undefined;
  /** The operating system, when recognised. */
  system: string | undefined;
}

/** Checked in order: several browsers name others in their header (Edge says Chrome and Safari). */
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera|OPT)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\bYaBrowser\//, 'Yandex Browser'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
  [/^Wget\//, 'Wget'],
  [/^python-requests\//, 'Python'],
  [/^okhttp\//, 'OkHttp'],
  [/^(?:node|undici)\b/, 'Node.js'],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\biPad\b/, 'iPadOS'],
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** Longer headers are cut: nothing we recognise sits that far in. */
const MAX_LENGTH = 512;

export function deviceFromUserAgent(userAgent: string | null | undefined): Device {
  const text = (userAgent ?? '').slice(0, MAX_LENGTH);
  const pick = (table: ReadonlyArray<readonly [RegExp, string]>) => table.find(([pattern]) => pattern.test(text))?.[1];
  return { browser: pick(BROWSERS), system: pick(SYSTEMS) };
}

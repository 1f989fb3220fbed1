// The account pages and the navigation between them (docs/account.md): one list, so the nav, the
// route table and the re-authentication's return addresses agree on what an account page is.
import type { Catalogue } from '../../../i18n/catalogue.js';
import { html, joinHtml, type SafeHtml } from '../layout.js';

export const ACCOUNT_PATHS = {
  profile: '/account',
  password: '/account/password',
  twoFactor: '/account/two-factor',
  passkeys: '/account/passkeys',
  sessions: '/account/sessions',
  apps: '/account/apps',
  connections: '/account/connections',
} as const;

export type AccountPage = keyof typeof ACCOUNT_PATHS;
export type AccountPath = (typeof ACCOUNT_PATHS)[AccountPage];

export const CONFIRM_PATH = '/account/confirm';
export const SIGN_OUT_PATH = '/account/sign-out';
export const SIGNED_OUT_PATH = '/account/signed-out';

const PAGES = Object.keys(ACCOUNT_PATHS) as AccountPage[];

/** The account page a return address names; anything else (another origin, a made-up path) is none. */
export const accountPath = (value: unknown): AccountPath | undefined => PAGES.map((page) => ACCOUNT_PATHS[page]).find((path) => path === value);

/** The navigation above the card; the current page is marked for assistive technology (aria-current). */
export function accountNav(t: Catalogue, current: AccountPage | undefined): SafeHtml {
  const items = PAGES.map((page) =>
    page === current
      ? html`<li><a href="${ACCOUNT_PATHS[page]}" aria-current="page">${t.account.nav[page]}</a></li>`
      : html`<li><a href="${ACCOUNT_PATHS[page]}">${t.account.nav[page]}</a></li>`,
  );
  return html`<nav class="account-nav" aria-label="${t.account.nav.label}"><ul>
${joinHtml(items)}
</ul></nav>`;
}

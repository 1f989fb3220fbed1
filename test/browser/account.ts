// What the account-page browser tests share: signing in at an account page (through the hosted
// sign-in and back), and reading a form's CSRF secret to send forms by hand.
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { submitPassword } from './chromium.js';

/** Opens an account page without a session: the hosted sign-in, then back at the page. */
export async function signInAtAccount(page: Page, server: TestServer, person: { email: string; password: string }, path = '/account'): Promise<void> {
  await page.goto(`${server.config.issuer}${path}`);
  await page.waitForURL((url) => url.pathname === '/login');
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === path);
}

/** The CSRF secret of the first form on the page. */
export const csrfOf = (page: Page): Promise<string> => page.locator('input[name=csrf]').first().inputValue();

/** The page's path, with its query. */
export const whereIs = (page: Page): string => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

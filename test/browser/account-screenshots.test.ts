// The pictures of docs/account.md, taken from the real pages on every run so that the docs show what
// people see: the profile page on a desktop in the light scheme, and the sessions page on a phone in
// the dark scheme. Each picture is also checked for what it is meant to show.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { signInAtAccount } from './account.js';
import { browserTest, openPage } from './chromium.js';

const image = (name: string) => fileURLToPath(new URL(`../../docs/images/${name}`, import.meta.url));

browserTest('the account pages, as docs/account.md shows them', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);

  const { page } = await openPage(t, { viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  await signInAtAccount(page, server, person);
  t.is(await page.locator('input[name=name]').inputValue(), person.name);
  mkdirSync(dirname(image('account-light.png')), { recursive: true });
  await page.screenshot({ path: image('account-light.png'), fullPage: true });

  const phone = await openPage(t, { viewport: { width: 390, height: 844 }, colorScheme: 'dark', deviceScaleFactor: 2 });
  await signInAtAccount(phone.page, server, person, '/account/sessions');
  const background = await phone.page.evaluate(() => {
    const style = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } });
    return style.getComputedStyle(style.document.body).backgroundColor;
  });
  const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
  t.true(r + g + b < 3 * 60, `the dark scheme is dark (body ${background})`);
  t.is(await phone.page.locator('.session-list > li').count(), 2, 'the desktop and the phone sign-ins are listed');
  t.is(await phone.page.locator('.session-current').count(), 1, 'this browser is marked');
  await phone.page.screenshot({ path: image('account-dark-phone.png'), fullPage: true });
});

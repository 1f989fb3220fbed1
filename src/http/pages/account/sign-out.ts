// Signing out of the account pages (docs/account.md): POST /account/sign-out ends this browser's
// session and every session its codes started, clears the cookie, and shows a page that leads back
// in (no dead end). `GET /` leads to the account.
import type { Config } from '../../../config/config.js';
import type { SignOutService } from '../../../domain/sessions/sign-out.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { clearSessionCookie } from '../browser-cookies.js';
import { html, renderPage } from '../layout.js';
import { pageView } from '../view.js';
import { seeOther, type AccountGate } from './gate.js';
import { ACCOUNT_PATHS, SIGNED_OUT_PATH } from './nav.js';

export function signOutPages(gate: AccountGate, config: Config, signOut: SignOutService) {
  function home(ctx: AppContext): void {
    seeOther(ctx, ACCOUNT_PATHS.profile);
  }

  async function submit(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, ACCOUNT_PATHS.profile);
    if (!visit) return;
    await signOut.endBrowserSession(visit.browser.session.id, visit.browser.user.id, requestMeta(ctx));
    clearSessionCookie(ctx, config);
    seeOther(ctx, SIGNED_OUT_PATH);
  }

  function signedOut(ctx: AppContext): void {
    const view = pageView(ctx, config);
    const p = view.t.account.signedOut;
    renderPage(ctx, view, { title: p.title, body: html`<p>${p.body}</p>\n<p><a class="button" href="${ACCOUNT_PATHS.profile}">${p.signIn}</a></p>` });
  }

  return { home, submit, signedOut };
}

// What every account page does first (docs/account.md): find the browser session (without one, send
// the person through the hosted sign-in and back), check a form's CSRF secret (double submit, as the
// sign-in pages do), and for a sensitive change ask for a recent authentication (re-authentication).
// Then render inside the account frame: the navigation, a wide card, a notice of what just happened.
import type { Config } from '../../../config/config.js';
import type { AuthorizationFlow } from '../../../domain/oidc/authorization-flow.js';
import type { BrowserSession, BrowserSessions } from '../../../domain/oidc/browser-sessions.js';
import type { Catalogue } from '../../../i18n/catalogue.js';
import type { AppContext } from '../../context.js';
import { csrfSecret, formCsrf, sessionCookie } from '../browser-cookies.js';
import { FormProblem } from '../form-problem.js';
import { html, renderPage, type SafeHtml } from '../layout.js';
import { answerNext } from '../sign-in.js';
import { pageView, type PageView } from '../view.js';
import { accountNav, CONFIRM_PATH, type AccountPage, type AccountPath } from './nav.js';

export interface AccountGateDeps {
  config: Config;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
}

/** A request of a signed-in person to an account page. */
export interface Visit {
  browser: BrowserSession;
  view: PageView;
  /** The browser's CSRF secret, for the page's forms. */
  csrf: string;
}

export interface AccountBody {
  title: string;
  body: SafeHtml;
  status?: number;
  /** Scripts of our own origin (layout.ts, Page.scripts): the passkey buttons. */
  scripts?: readonly string[];
}

/** The `done` notices a POST's 303 may name (t.account.done). */
export type Done = keyof Catalogue['account']['done'];

export function accountGate(deps: AccountGateDeps) {
  const { config, authorization, browserSessions } = deps;

  const browserOf = (ctx: AppContext) => browserSessions.find(ctx.cookies.get(sessionCookie(config)));

  /** No browser session: the hosted sign-in, which comes back to `returnTo` (AuthorizationFlow.beginAccountSignIn). */
  async function signIn(ctx: AppContext, returnTo: AccountPath): Promise<undefined> {
    answerNext(ctx, deps, await authorization.beginAccountSignIn(returnTo, csrfSecret(ctx, config)));
    return undefined;
  }

  /** A GET of an account page: the visit, or undefined after sending the browser to sign in. */
  async function open(ctx: AppContext, returnTo: AccountPath): Promise<Visit | undefined> {
    const browser = await browserOf(ctx);
    if (!browser) return signIn(ctx, returnTo);
    return { browser, view: pageView(ctx, config), csrf: csrfSecret(ctx, config) };
  }

  /**
   * A form POSTed from an account page: without a session, sign in and come back to the page;
   * without the browser's CSRF secret, a 403 page and nothing changes.
   */
  async function submit(ctx: AppContext, returnTo: AccountPath): Promise<Visit | undefined> {
    const browser = await browserOf(ctx);
    if (!browser) return signIn(ctx, returnTo);
    const view = pageView(ctx, config);
    const csrf = formCsrf(ctx, config);
    if (!csrf) {
      renderPage(ctx, view, { title: view.t.common.errorTitle, status: 403, body: html`<p class="error" role="alert">${view.t.common.formExpired}</p>
<p><a href="${returnTo}">${view.t.account.backToPage}</a></p>` });
      return undefined;
    }
    return { browser, view, csrf };
  }

  /**
   * A sensitive change (docs/account.md, Re-authentication) needs an authentication within the
   * last 5 minutes; otherwise the browser is sent to confirm it is the person, and comes back.
   */
  function recent(ctx: AppContext, visit: Visit, returnTo: AccountPath): boolean {
    if (browserSessions.recentlyAuthenticated(visit.browser)) return true;
    seeOther(ctx, `${CONFIRM_PATH}?return=${encodeURIComponent(returnTo)}`);
    return false;
  }

  return { open, submit, recent };
}

export type AccountGate = ReturnType<typeof accountGate>;

/** The answer to a successful POST (RFC 9110 §15.4.4): the next page is a GET. */
export function seeOther(ctx: AppContext, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}

/** Back to a page after a POST, saying what happened there. */
export const doneAt = (ctx: AppContext, path: AccountPath, done: Done): void => seeOther(ctx, `${path}?done=${done}`);

/** An account page in its frame: the navigation, the wide card, and the notice of a POST just done. */
export function renderAccount(ctx: AppContext, visit: Visit, page: AccountPage | undefined, content: AccountBody): void {
  const { t } = visit.view;
  const done = typeof ctx.query.done === 'string' && Object.hasOwn(t.account.done, ctx.query.done) ? t.account.done[ctx.query.done as Done] : undefined;
  const notice = done && (content.status ?? 200) === 200 ? html`<p class="notice" role="status">${done}</p>\n` : '';
  renderPage(ctx, visit.view, { title: content.title, nav: accountNav(t, page), wide: true, status: content.status ?? 200, body: html`${notice}${content.body}`, ...(content.scripts ? { scripts: content.scripts } : {}) });
}

/** An unknown (or another person's) session or app: 404, as unknown as a made-up one. */
export function renderNotFound(ctx: AppContext, visit: Visit, page: AccountPage, backTo: AccountPath): void {
  const { t } = visit.view;
  renderAccount(ctx, visit, page, { title: t.common.notFoundTitle, status: 404, body: html`<p>${t.errors.code.not_found}</p>
<p><a href="${backTo}">${t.account.backToPage}</a></p>` });
}

/** An expected refusal shown on the form (a wrong password, a limit); Retry-After kept for 423 and 429. */
export function formProblem(ctx: AppContext, error: unknown, t: Catalogue): FormProblem {
  const problem = FormProblem.from(error, t);
  const retryAfter = (error as { headers?: Record<string, string> }).headers?.['Retry-After'];
  if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
  return problem;
}

/** Times on the pages: in the reader's language, in UTC (the server does not know the reader's zone). */
export function formatTime(ms: number, view: PageView): SafeHtml {
  const text = new Intl.DateTimeFormat(view.locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(ms);
  return html`<time datetime="${new Date(ms).toISOString()}">${text}</time>`;
}

/** A date alone, as "Allowed on …" needs. */
export function formatDate(ms: number, view: PageView): string {
  return new Intl.DateTimeFormat(view.locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(ms);
}

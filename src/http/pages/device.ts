// The verification pages of the device flow (RFC 8628 §3.3, docs/devices.md): the person enters
// the code their device shows (or finds it filled in by verification_uri_complete, and confirms
// it), signs in through the hosted sign-in (second factor included), then allows or denies the
// application, and is told to return to the device. Plain HTML forms with the CSRF secret, 303
// after every POST; the user code is checked only on POST, where wrong guesses count per IP.
import type { Config } from '../../config/config.js';
import { ACCOUNT_PATH } from '../../domain/accounts/registration.js';
import { DEVICE_PAGE_PATH, type DeviceAuthorizations, type PendingDevice } from '../../domain/devices/device-authorizations.js';
import type { AuthorizationFlow } from '../../domain/oidc/authorization-flow.js';
import type { BrowserSession, BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import { isOAuthError, OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf, sessionCookie } from './browser-cookies.js';
import { errorMessage, FormProblem, problemHtml } from './form-problem.js';
import { html, joinHtml, renderPage } from './layout.js';
import { answerNext } from './sign-in.js';
import { pageView, type PageView } from './view.js';

export const DEVICE_DONE_PATH = `${DEVICE_PAGE_PATH}/done`;
export const DEVICE_DENIED_PATH = `${DEVICE_PAGE_PATH}/denied`;
/** The page of one request, after its user code was entered in this browser. */
const decisionPath = (id: string) => `${DEVICE_PAGE_PATH}/${id}`;

export interface DevicePageDeps {
  config: Config;
  devices: DeviceAuthorizations;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
}

/** GET and POST /device, /device/:id, and the two closing pages. */
export function devicePageHandlers(deps: DevicePageDeps) {
  const { config, devices, authorization, browserSessions } = deps;
  const metaOf = (ctx: AppContext, view: PageView) => ({ ...requestMeta(ctx), locale: view.locale });
  const browserOf = (ctx: AppContext): Promise<BrowserSession | undefined> => browserSessions.find(ctx.cookies.get(sessionCookie(config)));

  /** A refusal no form helps with: the page says so and leads nowhere but to the account. */
  function refusal(ctx: AppContext, view: PageView, error: unknown): void {
    if (!isOAuthError(error) || error.status >= 500) throw error;
    const { t } = view;
    renderPage(ctx, view, {
      title: t.device.enter.title,
      body: html`<p class="error" role="alert">${errorMessage(error, t)}</p>
<p><a href="${DEVICE_PAGE_PATH}">${t.device.enter.intro}</a></p>
<p><a href="${ACCOUNT_PATH}">${t.common.goToAccount}</a></p>`,
      status: error.status,
    });
  }

  function renderEnter(ctx: AppContext, view: PageView, csrf: string, typed: string | undefined, problem?: FormProblem): void {
    const { t } = view;
    // With the code brought by the link, the question is whether it is the device's (RFC 8628 §5.4).
    const lead = typed && !problem ? t.device.enter.confirm : t.device.enter.intro;
    renderPage(ctx, view, {
      title: t.device.enter.title,
      body: html`<p>${lead}</p>
<form method="post" action="${DEVICE_PAGE_PATH}" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="user_code">${t.device.enter.label}</label>
<input id="user_code" name="user_code" type="text" value="${typed ?? ''}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" aria-describedby="user_code-hint" required>
<p class="hint" id="user_code-hint">${t.device.enter.hint}</p>
<button type="submit">${t.device.enter.submit}</button>
</form>`,
      status: problem?.status ?? 200,
    });
  }

  function renderDecision(ctx: AppContext, view: PageView, pending: PendingDevice, browser: BrowserSession, csrf: string): void {
    const { t } = view;
    const app = pending.client.name;
    const items = pending.scopes.map((scope) => html`<li>${t.signIn.scopes(scope)}</li>`);
    renderPage(ctx, view, {
      title: t.device.approve.title(app),
      body: html`<p class="signed-in-as">${t.device.approve.signedInAs(browser.user.email)}</p>
<p>${t.device.approve.intro(app)}</p>
<ul class="scopes">${joinHtml(items)}</ul>
<p class="notice">${t.device.approve.warning}</p>
<form method="post" action="${decisionPath(pending.id)}" class="actions">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" name="decision" value="approve">${t.device.approve.allow}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.device.approve.deny}</button>
</form>`,
    });
  }

  /** Not signed in (or no longer): the hosted sign-in first, back to this request's page after. */
  async function signInFirst(ctx: AppContext, id: string, csrf: string): Promise<void> {
    answerNext(ctx, deps, await authorization.beginAccountSignIn(decisionPath(id), csrf));
  }

  /** GET /device: the form, filled in from ?user_code when verification_uri_complete was followed. */
  async function enterPage(ctx: AppContext): Promise<void> {
    const typed = typeof ctx.query.user_code === 'string' ? ctx.query.user_code.slice(0, 64) : undefined;
    renderEnter(ctx, pageView(ctx, config), csrfSecret(ctx, config), typed);
  }

  /** POST /device: the user code, checked under the per-IP limit; then sign-in, or the decision page. */
  async function enter(ctx: AppContext): Promise<void> {
    const view = pageView(ctx, config);
    const typed = (ctx.state.form.user_code ?? '').slice(0, 64);
    const csrf = formCsrf(ctx, config);
    if (!csrf) return refusal(ctx, view, new OAuthError('interaction_forbidden', 'the form did not carry this browser\'s CSRF secret'));
    let pending: PendingDevice;
    try {
      pending = await devices.enterUserCode(typed, csrf, metaOf(ctx, view));
    } catch (error) {
      const problem = FormProblem.from(error, view.t);
      if (isOAuthError(error) && error.headers['Retry-After'] !== undefined) ctx.set('Retry-After', error.headers['Retry-After']);
      return renderEnter(ctx, view, csrf, typed, problem);
    }
    if (!(await browserOf(ctx))) return signInFirst(ctx, pending.id, csrf);
    ctx.status = 303;
    ctx.redirect(decisionPath(pending.id));
  }

  /** GET /device/:id: Allow or Deny, for the person signed in in this browser. */
  async function decisionPage(ctx: RouteContext): Promise<void> {
    const view = pageView(ctx, config);
    const id = ctx.params.id ?? '';
    const csrf = csrfSecret(ctx, config);
    let pending: PendingDevice;
    try {
      pending = await devices.pending(id, csrf);
    } catch (error) {
      return refusal(ctx, view, error);
    }
    const browser = await browserOf(ctx);
    if (!browser) return signInFirst(ctx, pending.id, csrf);
    renderDecision(ctx, view, pending, browser, csrf);
  }

  /** POST /device/:id: the decision; the device hears it at its next poll. */
  async function decide(ctx: RouteContext): Promise<void> {
    const view = pageView(ctx, config);
    const id = ctx.params.id ?? '';
    const csrf = formCsrf(ctx, config);
    try {
      if (!csrf) throw new OAuthError('interaction_forbidden', 'the form did not carry this browser\'s CSRF secret');
      const browser = await browserOf(ctx);
      if (!browser) {
        await devices.pending(id, csrf);
        return await signInFirst(ctx, id, csrf);
      }
      const approve = ctx.state.form.decision === 'approve';
      await devices.decide(id, csrf, browser, approve, metaOf(ctx, view));
      ctx.status = 303;
      ctx.redirect(approve ? DEVICE_DONE_PATH : DEVICE_DENIED_PATH);
    } catch (error) {
      refusal(ctx, view, error);
    }
  }

  const closingPage = (which: 'done' | 'denied') =>
    async function closing(ctx: AppContext): Promise<void> {
      const view = pageView(ctx, config);
      const { t } = view;
      renderPage(ctx, view, { title: t.device[which].title, body: html`<p>${t.device[which].text}</p>` });
    };

  return { enterPage, enter, decisionPage, decide, done: closingPage('done'), denied: closingPage('denied') };
}

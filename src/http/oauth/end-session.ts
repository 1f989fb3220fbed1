// OpenID Connect RP-Initiated Logout 1.0: with a valid id_token_hint (our signature, expired or
// not) the browser session named by its `sid` ends at once and the browser goes back to a
// registered post_logout_redirect_uri with `state`; without one, the user confirms on a page.
// The signed-out page leads on: back to the application when we know which one it was (the hint's
// audience, or `client_id`, §2) and it registered where to, and to the account pages.
import type { Config } from '../../config/config.js';
import { ACCOUNT_PATH } from '../../domain/accounts/registration.js';
import type { Client } from '../../domain/clients/client.js';
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import type { SignOutService } from '../../domain/sessions/sign-out.js';
import type { IdTokens } from '../../domain/tokens/id-tokens.js';
import type { AppContext } from '../context.js';
import { clearSessionCookie, csrfSecret, formCsrf, sessionCookie } from '../pages/browser-cookies.js';
import { FormProblem, problemHtml } from '../pages/form-problem.js';
import { html, renderPage } from '../pages/layout.js';
import { pageView } from '../pages/view.js';
import { requestMeta } from '../request-meta.js';
import { ENDPOINT_PATHS } from './discovery.js';

export interface EndSessionHandlerDeps {
  config: Config;
  idTokens: IdTokens;
  clientRegistry: ClientRegistry;
  browserSessions: BrowserSessions;
  signOut: SignOutService;
}

const MAX_CLIENT_ID = 256;

/**
 * `endSession` answers GET and POST (the POST behind the form body); `confirm` is the POST of the
 * confirmation page (form body too), `done` the page after it.
 */
export function endSessionHandlers({ config, idTokens, clientRegistry, browserSessions, signOut }: EndSessionHandlerDeps) {
  /** A registered client named by the request, or none. */
  const clientNamed = async (clientId: string | undefined): Promise<Client | undefined> =>
    clientId && clientId.length <= MAX_CLIENT_ID ? clientRegistry.find(clientId) : undefined;

  function signedOutPage(ctx: AppContext, client: Client | undefined): void {
    const view = pageView(ctx, config);
    const { t } = view;
    // Only an address the application registered for after sign-out, and without state: a link
    // the person chooses to follow, not a redirect (that needs post_logout_redirect_uri, §3).
    const back = client?.postLogoutRedirectUris[0];
    renderPage(ctx, view, {
      title: t.signIn.signOut.doneTitle,
      body: html`<p>${t.signIn.signOut.done(view.brandName)}</p>
${back ? html`<p><a class="button" href="${back}">${t.signIn.signOut.backTo(client!.name)}</a></p>` : ''}
<p><a href="${ACCOUNT_PATH}">${t.signIn.signOut.signInAgain}</a></p>`,
    });
  }

  function renderConfirm(ctx: AppContext, client: Client | undefined, problem?: FormProblem): void {
    const view = pageView(ctx, config);
    const { t } = view;
    const csrf = csrfSecret(ctx, config);
    renderPage(ctx, view, {
      title: t.signIn.signOut.title,
      body: html`<form method="post" action="${ENDPOINT_PATHS.endSession}/confirm">
<input type="hidden" name="csrf" value="${csrf}">
${client ? html`<input type="hidden" name="client_id" value="${client.clientId}">` : ''}
${problemHtml(problem)}
<p>${t.signIn.signOut.question(view.brandName)}</p>
<button type="submit">${t.signIn.signOut.submit}</button>
</form>
<p><a href="${ACCOUNT_PATH}">${t.common.cancel}</a></p>`,
      status: problem?.status ?? 200,
    });
  }

  async function endSession(ctx: AppContext) {
    const params = ctx.method === 'POST' ? ctx.state.form : (ctx.query as Record<string, string | undefined>);
    const one = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
    ctx.set('Cache-Control', 'no-store');
    const hint = one('id_token_hint') ? await idTokens.verifyHint(one('id_token_hint')!) : undefined;
    const redirectUri = one('post_logout_redirect_uri');
    const client = await clientNamed(hint?.aud ?? one('client_id'));

    if (redirectUri !== undefined) {
      if (!hint || !client || !client.postLogoutRedirectUris.includes(redirectUri)) {
        const view = pageView(ctx, config);
        const { t } = view;
        return renderPage(ctx, view, {
          title: t.signIn.signOut.refusedTitle,
          body: html`<p class="error" role="alert">${t.signIn.signOut.refused}</p>
<details><summary>${t.signIn.badRequest.details}</summary><p><code>${t.signIn.signOut.refusedDetail}</code></p></details>
<p><a href="${ACCOUNT_PATH}">${t.common.goToAccount}</a></p>`,
          status: 400,
        });
      }
    }
    if (hint?.sid) {
      // Whether or not the hint's session could be ended, this browser is signed out.
      await signOut.endHintedSession({ sid: hint.sid, sub: hint.sub }, requestMeta(ctx));
      clearSessionCookie(ctx, config);
      if (redirectUri) {
        const url = new URL(redirectUri);
        if (one('state')) url.searchParams.set('state', one('state')!);
        ctx.status = 303;
        return ctx.redirect(url.toString());
      }
      return signedOutPage(ctx, client);
    }
    // No valid hint: the user confirms, so that a link alone cannot sign anyone out.
    renderConfirm(ctx, client);
  }

  async function confirm(ctx: AppContext) {
    const client = await clientNamed(ctx.state.form.client_id);
    if (!formCsrf(ctx, config)) return renderConfirm(ctx, client, new FormProblem(pageView(ctx, config).t.common.formExpired, 403));
    const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
    if (browser) {
      await signOut.endBrowserSession(browser.session.id, browser.user.id, requestMeta(ctx));
      clearSessionCookie(ctx, config);
    }
    ctx.status = 303;
    ctx.redirect(`${ENDPOINT_PATHS.endSession}/done${client ? `?client_id=${encodeURIComponent(client.clientId)}` : ''}`);
  }

  async function done(ctx: AppContext) {
    signedOutPage(ctx, await clientNamed(typeof ctx.query.client_id === 'string' ? ctx.query.client_id : undefined));
  }

  return { endSession, confirm, done };
}

// The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2), GET and POST. A request that names
// an unknown client or an unregistered redirect_uri gets an error page and never a redirect; other
// errors go back to the client with error, state and iss (RFC 9207).
import type { Config } from '../../config/config.js';
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { AuthorizationFlow } from '../../domain/oidc/authorization-flow.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import { parseAuthorizationRequest, RedirectableError, redirectWith, UntrustedRequestError } from '../../domain/oidc/authorization-request.js';
import type { PushedAuthorizations } from '../../domain/oidc/pushed-authorization.js';
import { parseUiLocales } from '../../i18n/locale.js';
import type { AppContext } from '../context.js';
import { csrfSecret, sessionCookie } from '../pages/browser-cookies.js';
import { html, renderPage } from '../pages/layout.js';
import { answerNext } from '../pages/sign-in.js';
import { pageView } from '../pages/view.js';

export interface AuthorizeDeps {
  config: Config;
  clientRegistry: ClientRegistry;
  browserSessions: BrowserSessions;
  authorization: AuthorizationFlow;
  pushedAuthorizations: PushedAuthorizations;
}

export function authorizeEndpoint(deps: AuthorizeDeps) {
  const { config } = deps;
  return async function authorize(ctx: AppContext) {
    const params = ctx.method === 'POST' ? ctx.state.form : (ctx.query as Record<string, string | string[] | undefined>);
    ctx.set('Cache-Control', 'no-store');
    try {
      // A request_uri (RFC 9126 §4) stands for the parameters its client pushed; the rest of the query is ignored.
      const resolved = await deps.pushedAuthorizations.resolve(params);
      const { request, client } = await parseAuthorizationRequest(resolved.params, deps.clientRegistry, { pushed: resolved.pushed });
      const browser = await deps.browserSessions.find(ctx.cookies.get(sessionCookie(config)));
      answerNext(ctx, deps, await deps.authorization.begin(request, client, browser, csrfSecret(ctx, config)));
    } catch (error) {
      if (error instanceof UntrustedRequestError) {
        // The person reads what to do; what is wrong with the request is for the application's
        // developer, in the protocol's own terms, behind a disclosure.
        const view = pageView(ctx, config, parseUiLocales(typeof params.ui_locales === 'string' ? params.ui_locales : undefined));
        const { t } = view;
        return renderPage(ctx, view, {
          title: t.signIn.badRequest.title,
          body: html`<p class="error" role="alert">${t.signIn.badRequest.text}</p>
<p>${t.signIn.badRequest.next}</p>
<details><summary>${t.signIn.badRequest.details}</summary><p><code>${error.description}</code></p></details>`,
          status: 400,
        });
      }
      if (error instanceof RedirectableError) {
        ctx.status = 303;
        return ctx.redirect(redirectWith(error.redirectUri, { error: error.code, error_description: error.description, state: error.state }, config.issuer));
      }
      throw error;
    }
  };
}

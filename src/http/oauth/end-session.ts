// OpenID Connect RP-Initiated Logout 1.0: with a valid id_token_hint (our signature, expired or
// not) the browser session named by its `sid` ends at once and the browser goes back to a
// registered post_logout_redirect_uri with `state`; without one, the user confirms on a page.
import type { Config } from '../../config/config.js';
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import type { SignOutService } from '../../domain/sessions/sign-out.js';
import type { IdTokens } from '../../domain/tokens/id-tokens.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { clearSessionCookie, csrfSecret, formCsrf, sessionCookie } from '../pages/browser-cookies.js';
import { html, renderPage } from '../pages/layout.js';
import { ENDPOINT_PATHS } from './discovery.js';
import { pageView } from '../pages/view.js';

export interface EndSessionHandlerDeps {
  config: Config;
  idTokens: IdTokens;
  clientRegistry: ClientRegistry;
  browserSessions: BrowserSessions;
  signOut: SignOutService;
}

/**
 * `endSession` answers GET and POST (the POST behind the form body); `confirm` is the POST of the
 * confirmation page (form body too), `done` the page after it.
 */
export function endSessionHandlers({ config, idTokens, clientRegistry, browserSessions, signOut }: EndSessionHandlerDeps) {
  const signedOutPage = (ctx: AppContext) => renderPage(ctx, pageView(ctx, config), { title: 'You are signed out', body: html`<p>You have been signed out of Tessera.</p>` });

  async function endSession(ctx: AppContext) {
    const params = ctx.method === 'POST' ? ctx.state.form : (ctx.query as Record<string, string | undefined>);
    const one = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
    ctx.set('Cache-Control', 'no-store');
    const hint = one('id_token_hint') ? await idTokens.verifyHint(one('id_token_hint')!) : undefined;
    const redirectUri = one('post_logout_redirect_uri');

    if (redirectUri !== undefined) {
      const client = hint ? await clientRegistry.find(hint.aud) : undefined;
      if (!client || !client.postLogoutRedirectUris.includes(redirectUri)) {
        return renderPage(ctx, pageView(ctx, config), { title: 'Sign-out request refused', body: html`<p class="error" role="alert">post_logout_redirect_uri is not registered for this application (or no valid id_token_hint names the application).</p>`, status: 400 });
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
      return signedOutPage(ctx);
    }
    // No valid hint: the user confirms, so that a link alone cannot sign anyone out.
    const csrf = csrfSecret(ctx, config);
    renderPage(ctx, pageView(ctx, config), { title: 'Sign out?', body: html`<form method="post" action="${ENDPOINT_PATHS.endSession}/confirm">
<input type="hidden" name="csrf" value="${csrf}">
<p>Do you want to sign out of Tessera?</p>
<button type="submit">Sign out</button>
</form>` });
  }

  async function confirm(ctx: AppContext) {
    if (!formCsrf(ctx, config)) return renderPage(ctx, pageView(ctx, config), { title: 'Sign-out refused', body: html`<p class="error" role="alert">The form was not sent from this browser.</p>`, status: 403 });
    const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
    if (browser) {
      await signOut.endBrowserSession(browser.session.id, browser.user.id, requestMeta(ctx));
      clearSessionCookie(ctx, config);
    }
    ctx.status = 303;
    ctx.redirect(`${ENDPOINT_PATHS.endSession}/done`);
  }

  return { endSession, confirm, done: signedOutPage };
}

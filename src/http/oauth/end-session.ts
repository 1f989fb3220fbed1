// OpenID Connect RP-Initiated Logout 1.0: with a valid id_token_hint (our signature, expired or
// not) the browser session named by its `sid` ends at once and the browser goes back to a
// registered post_logout_redirect_uri with `state`; without one, the user confirms on a page.
import type Router from '@koa/router';
import { audit } from '../../audit/audit-log.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';
import { clearSessionCookie, csrfSecret, formCsrf, sessionCookie } from '../pages/browser-cookies.js';
import { html, renderPage } from '../pages/layout.js';
import { ENDPOINT_PATHS } from './discovery.js';

export function endSessionRoutes(router: Router<AppState>, services: Services): void {
  const { config } = services;

  const signedOutPage = (ctx: AppContext) => renderPage(ctx, 'You are signed out', html`<p>You have been signed out of Tessera.</p>`);

  async function endBrowserSession(ctx: AppContext, sessionId: string, userId: string | null) {
    await services.db.transaction().execute(async (tx) => {
      if ((await services.browserSessions.end(tx, sessionId, 'end_session')) > 0) {
        await audit(tx, { event: 'user.logout', userId, meta: requestMeta(ctx), detail: { session: sessionId, via: 'end_session' } }, services.clock.now());
      }
    });
    clearSessionCookie(ctx, config);
  }

  async function endSession(ctx: AppContext) {
    const params = ctx.method === 'POST' ? ctx.state.form : (ctx.query as Record<string, string | undefined>);
    const one = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
    ctx.set('Cache-Control', 'no-store');
    const hint = one('id_token_hint') ? await services.idTokens.verifyHint(one('id_token_hint')!) : undefined;
    const redirectUri = one('post_logout_redirect_uri');

    if (redirectUri !== undefined) {
      const client = hint ? await services.clientRegistry.find(hint.aud) : undefined;
      if (!client || !client.postLogoutRedirectUris.includes(redirectUri)) {
        return renderPage(ctx, 'Sign-out request refused', html`<p class="error" role="alert">post_logout_redirect_uri is not registered for this application (or no valid id_token_hint names the application).</p>`, 400);
      }
    }
    if (hint?.sid) {
      const state = await services.sessions.state(hint.sid);
      if (state && state.user_id === hint.sub) await endBrowserSession(ctx, hint.sid, hint.sub);
      else clearSessionCookie(ctx, config);
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
    renderPage(
      ctx,
      'Sign out?',
      html`<form method="post" action="${ENDPOINT_PATHS.endSession}/confirm">
<input type="hidden" name="csrf" value="${csrf}">
<p>Do you want to sign out of Tessera?</p>
<button type="submit">Sign out</button>
</form>`,
    );
  }

  router.get(ENDPOINT_PATHS.endSession, endSession);
  router.post(ENDPOINT_PATHS.endSession, formBody(config.bodyLimit), endSession);
  router.post(`${ENDPOINT_PATHS.endSession}/confirm`, formBody(config.bodyLimit), async (ctx) => {
    if (!formCsrf(ctx, config)) return renderPage(ctx, 'Sign-out refused', html`<p class="error" role="alert">The form was not sent from this browser.</p>`, 403);
    const browser = await services.browserSessions.find(ctx.cookies.get(sessionCookie(config)));
    if (browser) await endBrowserSession(ctx, browser.session.id, browser.user.id);
    ctx.status = 303;
    ctx.redirect(`${ENDPOINT_PATHS.endSession}/done`);
  });
  router.get(`${ENDPOINT_PATHS.endSession}/done`, (ctx) => signedOutPage(ctx));
}

// The pages that verification and reset mails link to (contract §4). Opening a link only shows a
// page; the token is spent by that page's POST, so mail scanners that prefetch links burn nothing.
// After a POST the browser is sent on with 303 (never 307: the body must not be replayed).
import type Router from '@koa/router';
import { isOAuthError } from '../../errors/oauth-error.js';
import { RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH } from '../../domain/accounts/registration.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';
import { html, renderPage, STYLESHEET } from './layout.js';

const tokenOf = (ctx: AppContext) => (typeof ctx.query.token === 'string' ? ctx.query.token.slice(0, 512) : '');

export function mailLinkPages(router: Router<AppState>, services: Services): void {
  router.get('/assets/tessera.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });

  router.get(VERIFY_EMAIL_PATH, (ctx) => {
    if (ctx.query.status === 'done') return renderPage(ctx, 'Email verified', html`<p>Your email address is verified. You can sign in now.</p>`);
    renderPage(
      ctx,
      'Verify your email',
      html`<form method="post" action="${VERIFY_EMAIL_PATH}">
<input type="hidden" name="token" value="${tokenOf(ctx)}">
<p>Confirm that this is your email address.</p>
<button type="submit">Verify my email</button>
</form>`,
    );
  });

  router.post(VERIFY_EMAIL_PATH, formBody(services.config.bodyLimit), async (ctx) => {
    try {
      await services.registration.verifyEmail(ctx.state.form.token ?? '', requestMeta(ctx));
    } catch (error) {
      if (!isOAuthError(error) || error.status >= 500) throw error;
      return renderPage(ctx, 'Link not valid', html`<p class="error">${error.description}.</p><p>Ask for a new verification mail from the app.</p>`, 400);
    }
    ctx.status = 303;
    ctx.redirect(`${VERIFY_EMAIL_PATH}?status=done`);
  });

  const resetForm = (ctx: AppContext, token: string, problem?: string) =>
    renderPage(
      ctx,
      'Choose a new password',
      html`<form method="post" action="${RESET_PASSWORD_PATH}">
<input type="hidden" name="token" value="${token}">
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<p class="hint">At least 8 characters; not a common password.</p>
<button type="submit">Set new password</button>
</form>`,
      problem ? 400 : 200,
    );

  router.get(RESET_PASSWORD_PATH, (ctx) => {
    if (ctx.query.status === 'done') return renderPage(ctx, 'Password changed', html`<p>Your password has been changed and every session has been signed out. Sign in with the new password.</p>`);
    resetForm(ctx, tokenOf(ctx));
  });

  router.post(RESET_PASSWORD_PATH, formBody(services.config.bodyLimit), async (ctx) => {
    const token = ctx.state.form.token ?? '';
    try {
      await services.passwords.reset(token, ctx.state.form.password ?? '', requestMeta(ctx));
    } catch (error) {
      if (!isOAuthError(error) || error.status >= 500 || error.code === 'rate_limited') throw error;
      if (error.code === 'invalid_token') return renderPage(ctx, 'Link not valid', html`<p class="error">${error.description}.</p><p>Ask for a new reset mail.</p>`, 400);
      return resetForm(ctx, token, error.description);
    }
    ctx.status = 303;
    ctx.redirect(`${RESET_PASSWORD_PATH}?status=done`);
  });
}

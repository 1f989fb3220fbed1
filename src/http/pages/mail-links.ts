// The pages that verification and reset mails link to (docs/accounts.md). Opening a link only shows a
// page; the token is spent by that page's POST, so mail scanners that prefetch links burn nothing.
// After a POST the browser is sent on with 303 (never 307: the body must not be replayed).
import type { Config } from '../../config/config.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import { RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH, type RegistrationService } from '../../domain/accounts/registration.js';
import { isOAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage } from './layout.js';
import { pageView } from './view.js';

const tokenOf = (ctx: AppContext) => (typeof ctx.query.token === 'string' ? ctx.query.token.slice(0, 512) : '');

/** A link that cannot be used (invalid, used or expired): a page of its own, not the form again. */
const isBadLink = (error: unknown) => isOAuthError(error) && error.code === 'invalid_token';

export interface MailLinkPageDeps {
  config: Config;
  registration: RegistrationService;
  passwords: PasswordService;
}

/** GET and POST of VERIFY_EMAIL_PATH and RESET_PASSWORD_PATH; the POSTs need the form body parser before them. */
export function mailLinkHandlers(deps: MailLinkPageDeps) {
  const { config, registration, passwords } = deps;

  function verifyEmailPage(ctx: AppContext): void {
    if (ctx.query.status === 'done') return renderPage(ctx, pageView(ctx, config), { title: 'Email verified', body: html`<p>Your email address is verified. You can sign in now.</p>` });
    renderPage(ctx, pageView(ctx, config), { title: 'Verify your email', body: html`<form method="post" action="${VERIFY_EMAIL_PATH}">
<input type="hidden" name="token" value="${tokenOf(ctx)}">
<p>Confirm that this is your email address.</p>
<button type="submit">Verify my email</button>
</form>` });
  }

  async function verifyEmail(ctx: AppContext): Promise<void> {
    try {
      await registration.verifyEmail(ctx.state.form.token ?? '', requestMeta(ctx));
    } catch (error) {
      // Any expected refusal (a bad link, a limit) ends this page: there is no form to send again.
      const problem = FormProblem.from(error, pageView(ctx, config).t);
      return renderPage(ctx, pageView(ctx, config), { title: 'Link not valid', body: html`<p class="error">${problem.message}.</p><p>Ask for a new verification mail from the app.</p>`, status: 400 });
    }
    ctx.status = 303;
    ctx.redirect(`${VERIFY_EMAIL_PATH}?status=done`);
  }

  const renderReset = (ctx: AppContext, token: string, problem?: FormProblem) =>
    renderPage(ctx, pageView(ctx, config), { title: 'Choose a new password', body: html`<form method="post" action="${RESET_PASSWORD_PATH}">
<input type="hidden" name="token" value="${token}">
${problemHtml(problem)}
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<p class="hint">At least 8 characters; not a common password.</p>
<button type="submit">Set new password</button>
</form>`, status: problem ? 400 : 200 });

  function resetPasswordPage(ctx: AppContext): void {
    if (ctx.query.status === 'done') return renderPage(ctx, pageView(ctx, config), { title: 'Password changed', body: html`<p>Your password has been changed and every session has been signed out. Sign in with the new password.</p>` });
    renderReset(ctx, tokenOf(ctx));
  }

  async function resetPassword(ctx: AppContext): Promise<void> {
    const token = ctx.state.form.token ?? '';
    try {
      await passwords.reset(token, ctx.state.form.password ?? '', requestMeta(ctx));
    } catch (error) {
      // A limit is the error middleware's answer (429 with Retry-After), as on the JSON API.
      if (isOAuthError(error) && error.code === 'rate_limited') throw error;
      const problem = FormProblem.from(error, pageView(ctx, config).t);
      if (isBadLink(error)) return renderPage(ctx, pageView(ctx, config), { title: 'Link not valid', body: html`<p class="error">${problem.message}.</p><p>Ask for a new reset mail.</p>`, status: 400 });
      return renderReset(ctx, token, problem);
    }
    ctx.status = 303;
    ctx.redirect(`${RESET_PASSWORD_PATH}?status=done`);
  }

  return { verifyEmailPage, verifyEmail, resetPasswordPage, resetPassword };
}

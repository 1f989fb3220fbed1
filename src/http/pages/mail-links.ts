// The pages that verification and reset mails link to (docs/accounts.md). Opening a link only shows a
// page; the token is spent by that page's POST, so mail scanners that prefetch links burn nothing.
// After a POST the browser is sent on with 303 (never 307: the body must not be replayed). Every
// page leads somewhere: a used or expired link to a fresh one, a finished step to the account pages.
import type { Config } from '../../config/config.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import { ACCOUNT_PATH, FORGOT_PASSWORD_PATH, RESEND_VERIFICATION_PATH, RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH, type RegistrationService } from '../../domain/accounts/registration.js';
import { isOAuthError, type OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { errorMessage, FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage } from './layout.js';
import { pageView, type PageView } from './view.js';

const tokenOf = (ctx: AppContext) => (typeof ctx.query.token === 'string' ? ctx.query.token.slice(0, 512) : '');

/** A link that cannot be used (invalid, used or expired): a page of its own, not the form again. */
const isBadLink = (error: unknown): error is OAuthError => isOAuthError(error) && error.code === 'invalid_token';

export interface MailLinkPageDeps {
  config: Config;
  registration: RegistrationService;
  passwords: PasswordService;
}

/** GET and POST of VERIFY_EMAIL_PATH and RESET_PASSWORD_PATH; the POSTs need the form body parser before them. */
export function mailLinkHandlers(deps: MailLinkPageDeps) {
  const { config, registration, passwords } = deps;
  const metaOf = (ctx: AppContext, view: PageView) => ({ ...requestMeta(ctx), locale: view.locale });

  /** The page of a link that cannot be used: why, and where to get a new one. */
  const badLink = (ctx: AppContext, view: PageView, message: string, next: { href: string; label: string }) =>
    renderPage(ctx, view, {
      title: view.t.signIn.badLink.title,
      body: html`<p class="error" role="alert">${message}</p>
<p><a href="${next.href}">${next.label}</a></p>`,
      status: 400,
    });
  const newVerifyLink = (view: PageView) => ({ href: RESEND_VERIFICATION_PATH, label: view.t.signIn.badLink.newVerify });
  const newResetLink = (view: PageView) => ({ href: FORGOT_PASSWORD_PATH, label: view.t.signIn.badLink.newReset });

  function verifyEmailPage(ctx: AppContext): void {
    const view = pageView(ctx, config);
    const { t } = view;
    if (ctx.query.status === 'done') {
      return renderPage(ctx, view, { title: t.signIn.verify.doneTitle, body: html`<p>${t.signIn.verify.done}</p>
<p><a class="button" href="${ACCOUNT_PATH}">${t.signIn.verify.continue}</a></p>` });
    }
    const token = tokenOf(ctx);
    if (!token) return badLink(ctx, view, t.errors.code.invalid_token, newVerifyLink(view));
    renderPage(ctx, view, { title: t.signIn.verify.title, body: html`<form method="post" action="${VERIFY_EMAIL_PATH}">
<input type="hidden" name="token" value="${token}">
<p>${t.signIn.verify.intro}</p>
<button type="submit">${t.signIn.verify.submit}</button>
</form>` });
  }

  async function verifyEmail(ctx: AppContext): Promise<void> {
    const view = pageView(ctx, config);
    try {
      await registration.verifyEmail(ctx.state.form.token ?? '', metaOf(ctx, view));
    } catch (error) {
      // A limit (429 with Retry-After) is the page errors' answer; a bad link has a page of its own.
      if (!isBadLink(error)) throw error;
      // An address taken by another account meanwhile: a new link would not help, the account pages might.
      const next = error.reason === 'email_taken' ? { href: ACCOUNT_PATH, label: view.t.common.goToAccount } : newVerifyLink(view);
      return badLink(ctx, view, errorMessage(error, view.t), next);
    }
    ctx.status = 303;
    ctx.redirect(`${VERIFY_EMAIL_PATH}?status=done`);
  }

  const renderReset = (ctx: AppContext, view: PageView, token: string, problem?: FormProblem) => {
    const { t } = view;
    renderPage(ctx, view, { title: t.signIn.reset.title, body: html`<form method="post" action="${RESET_PASSWORD_PATH}" novalidate>
<input type="hidden" name="token" value="${token}">
${problemHtml(problem)}
<label for="password">${t.signIn.reset.label}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" aria-describedby="password-hint" required>
<p class="hint" id="password-hint">${t.signIn.register.passwordHint}</p>
<button type="submit">${t.signIn.reset.submit}</button>
</form>`, status: problem ? 400 : 200 });
  };

  function resetPasswordPage(ctx: AppContext): void {
    const view = pageView(ctx, config);
    const { t } = view;
    if (ctx.query.status === 'done') {
      return renderPage(ctx, view, { title: t.signIn.reset.doneTitle, body: html`<p>${t.signIn.reset.done}</p>
<p><a class="button" href="${ACCOUNT_PATH}">${t.signIn.reset.signIn}</a></p>` });
    }
    const token = tokenOf(ctx);
    // Without a token there is nothing to reset with (an old link, an address typed by hand): ask for one.
    if (!token) {
      ctx.status = 303;
      return ctx.redirect(FORGOT_PASSWORD_PATH);
    }
    renderReset(ctx, view, token);
  }

  async function resetPassword(ctx: AppContext): Promise<void> {
    const view = pageView(ctx, config);
    const token = ctx.state.form.token ?? '';
    try {
      await passwords.reset(token, ctx.state.form.password ?? '', metaOf(ctx, view));
    } catch (error) {
      // A limit is the page errors' answer (429 with Retry-After), as on the JSON API.
      if (isOAuthError(error) && error.code === 'rate_limited') throw error;
      if (isBadLink(error)) return badLink(ctx, view, errorMessage(error, view.t), newResetLink(view));
      return renderReset(ctx, view, token, FormProblem.from(error, view.t));
    }
    ctx.status = 303;
    ctx.redirect(`${RESET_PASSWORD_PATH}?status=done`);
  }

  return { verifyEmailPage, verifyEmail, resetPasswordPage, resetPassword };
}

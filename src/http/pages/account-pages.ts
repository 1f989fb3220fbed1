// Hosted pages for people without an app of their own: create an account and ask for a reset
// link. They call the same services as the JSON API (same checks, limits and mails), behind the
// browser's CSRF secret, with 303 after every successful POST.
import type { Config } from '../../config/config.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import type { RegistrationService } from '../../domain/accounts/registration.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf } from './browser-cookies.js';
import { FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage } from './layout.js';
import { pageView } from './view.js';

/** A form sent without the browser's CSRF secret (or after it changed): show a fresh form. */
const FORM_EXPIRED = () => new FormProblem('The form expired; please try again.', 403);

export interface AccountPageDeps {
  config: Config;
  registration: RegistrationService;
  passwords: PasswordService;
}

/** GET and POST /register and /forgot-password; the POSTs need the form body parser before them. */
export function accountPageHandlers(deps: AccountPageDeps) {
  const { config, registration, passwords } = deps;

  const renderRegister = (ctx: AppContext, csrf: string, problem?: FormProblem, values: { email?: string; name?: string } = {}) =>
    renderPage(ctx, pageView(ctx, config), { title: 'Create your account', body: html`<form method="post" action="/register" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" value="${values.name ?? ''}" required>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" value="${values.email ?? ''}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<p class="hint">At least 8 characters; not a common password.</p>
<button type="submit">Create account</button>
</form>`, status: problem?.status ?? 200 });

  const renderForgot = (ctx: AppContext, csrf: string, problem?: FormProblem) =>
    renderPage(ctx, pageView(ctx, config), { title: 'Forgot your password?', body: html`<form method="post" action="/forgot-password" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">Send me a reset link</button>
</form>`, status: problem?.status ?? 200 });

  const checkMail = (ctx: AppContext) => renderPage(ctx, pageView(ctx, config), { title: 'Check your email', body: html`<p>If the address belongs to an account, a message with a link is on its way.</p>` });

  function registerPage(ctx: AppContext): void {
    if (ctx.query.status === 'sent') return checkMail(ctx);
    renderRegister(ctx, csrfSecret(ctx, config));
  }

  async function register(ctx: AppContext): Promise<void> {
    const csrf = formCsrf(ctx, config);
    const { email = '', name = '', password = '' } = ctx.state.form;
    if (!csrf) return renderRegister(ctx, csrfSecret(ctx, config), FORM_EXPIRED(), { email, name });
    try {
      await registration.register({ email, name, password }, requestMeta(ctx));
    } catch (error) {
      return renderRegister(ctx, csrf, FormProblem.from(error, pageView(ctx, config).t), { email: email.slice(0, 320), name: name.slice(0, 200) });
    }
    ctx.status = 303;
    ctx.redirect('/register?status=sent');
  }

  function forgotPasswordPage(ctx: AppContext): void {
    if (ctx.query.status === 'sent') return checkMail(ctx);
    renderForgot(ctx, csrfSecret(ctx, config));
  }

  async function forgotPassword(ctx: AppContext): Promise<void> {
    const csrf = formCsrf(ctx, config);
    if (!csrf) return renderForgot(ctx, csrfSecret(ctx, config), FORM_EXPIRED());
    try {
      await passwords.forgot(ctx.state.form.email ?? '', requestMeta(ctx));
    } catch (error) {
      return renderForgot(ctx, csrf, FormProblem.from(error, pageView(ctx, config).t));
    }
    ctx.status = 303;
    ctx.redirect('/forgot-password?status=sent');
  }

  return { registerPage, register, forgotPasswordPage, forgotPassword };
}

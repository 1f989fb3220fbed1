// Hosted pages for people on their way in: create an account, ask for a reset link, ask for the
// verification mail again. They call the same services as the JSON API (same checks, limits and
// mails, the same answer whether or not an address is known), behind the browser's CSRF secret,
// with 303 after every successful POST. Opened from a sign-in in progress (`?interaction=ID`),
// they speak its language and lead back to it; otherwise to the account pages, which sign in.
import type { Config } from '../../config/config.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import { ACCOUNT_PATH, FORGOT_PASSWORD_PATH, RESEND_VERIFICATION_PATH, type RegistrationService } from '../../domain/accounts/registration.js';
import type { AuthorizationFlow, Interaction } from '../../domain/oidc/authorization-flow.js';
import { isOAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf } from './browser-cookies.js';
import { FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage, type SafeHtml } from './layout.js';
import { loginPath } from './sign-in.js';
import { pageView, type PageView } from './view.js';

export const REGISTER_PATH = '/register';

export interface SignUpPageDeps {
  config: Config;
  registration: RegistrationService;
  passwords: PasswordService;
  authorization: AuthorizationFlow;
}

/** What a page knows of the request: its view, and the sign-in it was opened from, if any. */
interface Visit {
  view: PageView;
  interaction: Interaction | undefined;
}

/** GET and POST /register, /forgot-password and /resend-verification; the POSTs need the form body parser before them. */
export function signUpPageHandlers(deps: SignUpPageDeps) {
  const { config, registration, passwords, authorization } = deps;

  /**
   * The sign-in this page was opened from: alive and started by this browser (its CSRF cookie), or
   * none, in which case the page simply leads to the account pages.
   */
  async function visit(ctx: AppContext): Promise<Visit> {
    const id = typeof ctx.query.interaction === 'string' ? ctx.query.interaction : ctx.state.form?.interaction;
    let interaction: Interaction | undefined;
    if (id && /^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      try {
        interaction = await authorization.interaction(id, csrfSecret(ctx, config));
      } catch (error) {
        if (!isOAuthError(error) || error.status >= 500) throw error;
      }
    }
    return { view: pageView(ctx, config, interaction?.request.uiLocales), interaction };
  }

  const withInteraction = (path: string, { interaction }: Visit, query: Record<string, string> = {}) => {
    const params = new URLSearchParams({ ...query, ...(interaction ? { interaction: interaction.id } : {}) }).toString();
    return params ? `${path}?${params}` : path;
  };
  /** The way back: the sign-in in progress, or the account pages (which sign in). */
  const onward = (visit: Visit) => (visit.interaction ? loginPath(visit.interaction.id) : ACCOUNT_PATH);
  const backLink = (visit: Visit) => html`<p><a href="${onward(visit)}">${visit.view.t.signIn.backToSignIn}</a></p>`;
  const hidden = (visit: Visit, csrf: string) =>
    html`<input type="hidden" name="csrf" value="${csrf}">${visit.interaction ? html`\n<input type="hidden" name="interaction" value="${visit.interaction.id}">` : ''}`;
  /** Mails sent for this page speak its language. */
  const metaOf = (ctx: AppContext, visit: Visit) => ({ ...requestMeta(ctx), locale: visit.view.locale });
  const formExpired = (visit: Visit) => new FormProblem(visit.view.t.common.formExpired, 403);
  /** A refusal as a problem of the form, with the header that says when to come back. */
  const problemOf = (ctx: AppContext, visit: Visit, error: unknown) => {
    const problem = FormProblem.from(error, visit.view.t);
    const retryAfter = isOAuthError(error) ? error.headers['Retry-After'] : undefined;
    if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
    return problem;
  };
  const sent = (ctx: AppContext, visit: Visit, body: SafeHtml) => renderPage(ctx, visit.view, { title: visit.view.t.signIn.checkMailTitle, body: html`${body}\n${backLink(visit)}` });

  const renderRegister = (ctx: AppContext, visit: Visit, csrf: string, problem?: FormProblem, values: { email?: string; name?: string } = {}) => {
    const { t } = visit.view;
    renderPage(ctx, visit.view, {
      title: t.signIn.register.title,
      body: html`<form method="post" action="${REGISTER_PATH}" novalidate>
${hidden(visit, csrf)}
${problemHtml(problem)}
<label for="name">${t.signIn.register.name}</label>
<input id="name" name="name" type="text" autocomplete="name" value="${values.name ?? ''}" required>
<label for="email">${t.signIn.email}</label>
<input id="email" name="email" type="email" autocomplete="email" value="${values.email ?? ''}" required>
<label for="password">${t.signIn.password}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" aria-describedby="password-hint" required>
<p class="hint" id="password-hint">${t.signIn.register.passwordHint}</p>
<button type="submit">${t.signIn.register.submit}</button>
</form>
<p>${t.signIn.register.haveAccount} <a href="${onward(visit)}">${t.signIn.register.signIn}</a></p>`,
      status: problem?.status ?? 200,
    });
  };

  const renderForgot = (ctx: AppContext, visit: Visit, csrf: string, problem?: FormProblem, email = '') => {
    const { t } = visit.view;
    renderPage(ctx, visit.view, {
      title: t.signIn.forgot.title,
      body: html`<p>${t.signIn.forgot.intro}</p>
<form method="post" action="${FORGOT_PASSWORD_PATH}" novalidate>
${hidden(visit, csrf)}
${problemHtml(problem)}
<label for="email">${t.signIn.email}</label>
<input id="email" name="email" type="email" autocomplete="email" value="${email}" required>
<button type="submit">${t.signIn.forgot.submit}</button>
</form>
${backLink(visit)}`,
      status: problem?.status ?? 200,
    });
  };

  const renderResend = (ctx: AppContext, visit: Visit, csrf: string, problem?: FormProblem, email = '') => {
    const { t } = visit.view;
    renderPage(ctx, visit.view, {
      title: t.signIn.resend.title,
      body: html`<p>${t.signIn.resend.intro}</p>
<form method="post" action="${RESEND_VERIFICATION_PATH}" novalidate>
${hidden(visit, csrf)}
${problemHtml(problem)}
<label for="email">${t.signIn.email}</label>
<input id="email" name="email" type="email" autocomplete="email" value="${email}" required>
<button type="submit">${t.signIn.resend.submit}</button>
</form>
${backLink(visit)}`,
      status: problem?.status ?? 200,
    });
  };

  async function registerPage(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    const { t } = current.view;
    if (ctx.query.status !== 'sent') return renderRegister(ctx, current, csrfSecret(ctx, config));
    // Its own words: the account is not there until the address is confirmed.
    sent(ctx, current, html`<p>${t.signIn.register.sent}</p>
<p>${t.signIn.register.noMail}</p>
<p><a href="${withInteraction(RESEND_VERIFICATION_PATH, current)}">${t.signIn.register.resend}</a></p>`);
  }

  async function register(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    const csrf = formCsrf(ctx, config);
    const { email = '', name = '', password = '' } = ctx.state.form;
    const values = { email: email.slice(0, 320), name: name.slice(0, 200) };
    if (!csrf) return renderRegister(ctx, current, csrfSecret(ctx, config), formExpired(current), values);
    try {
      await registration.register({ email, name, password }, metaOf(ctx, current));
    } catch (error) {
      return renderRegister(ctx, current, csrf, problemOf(ctx, current, error), values);
    }
    ctx.status = 303;
    ctx.redirect(withInteraction(REGISTER_PATH, current, { status: 'sent' }));
  }

  async function forgotPasswordPage(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    if (ctx.query.status === 'sent') return sent(ctx, current, html`<p>${current.view.t.signIn.forgot.sent}</p>`);
    renderForgot(ctx, current, csrfSecret(ctx, config));
  }

  async function forgotPassword(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    const csrf = formCsrf(ctx, config);
    const email = ctx.state.form.email ?? '';
    if (!csrf) return renderForgot(ctx, current, csrfSecret(ctx, config), formExpired(current), email.slice(0, 320));
    try {
      await passwords.forgot(email, metaOf(ctx, current));
    } catch (error) {
      return renderForgot(ctx, current, csrf, problemOf(ctx, current, error), email.slice(0, 320));
    }
    ctx.status = 303;
    ctx.redirect(withInteraction(FORGOT_PASSWORD_PATH, current, { status: 'sent' }));
  }

  async function resendVerificationPage(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    if (ctx.query.status === 'sent') return sent(ctx, current, html`<p>${current.view.t.signIn.resend.sent}</p>`);
    renderResend(ctx, current, csrfSecret(ctx, config));
  }

  /** As POST /auth/resend-verification: the same answer whatever the address, the same limits. */
  async function resendVerification(ctx: AppContext): Promise<void> {
    const current = await visit(ctx);
    const csrf = formCsrf(ctx, config);
    const email = ctx.state.form.email ?? '';
    if (!csrf) return renderResend(ctx, current, csrfSecret(ctx, config), formExpired(current), email.slice(0, 320));
    try {
      await registration.resendVerification(email, metaOf(ctx, current));
    } catch (error) {
      return renderResend(ctx, current, csrf, problemOf(ctx, current, error), email.slice(0, 320));
    }
    ctx.status = 303;
    ctx.redirect(withInteraction(RESEND_VERIFICATION_PATH, current, { status: 'sent' }));
  }

  return { registerPage, register, forgotPasswordPage, forgotPassword, resendVerificationPage, resendVerification };
}

// The hosted sign-in pages of the authorization code flow: password, TOTP, consent. Plain HTML
// forms that work without JavaScript, a CSRF secret on every form, 303 after every POST, and the
// same lockout, rate limits and audit events as the JSON API (their errors are shown on the page).
import type { Config } from '../../config/config.js';
import type { AuthorizationFlow, Interaction, Next as FlowNext } from '../../domain/oidc/authorization-flow.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import { isOAuthError, type ErrorCode } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf, sessionCookie, setSessionCookie } from './browser-cookies.js';
import { FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage, SafeHtml } from './layout.js';
import { scopeInWords } from './scope-words.js';
import { pageView } from './view.js';

const STEP_PATHS = { login: '/login', totp: '/login/totp', consent: '/consent' } as const;

/** Sends the browser where the flow says: a redirect (303), a page of the flow, or signed in. */
export function answerNext(ctx: AppContext, deps: { config: Config }, next: FlowNext): void {
  ctx.status = 303;
  if (next.kind === 'page') return ctx.redirect(`${STEP_PATHS[next.step]}?interaction=${next.interactionId}`);
  if (next.kind === 'signed_in') setSessionCookie(ctx, deps.config, next.browserSecret);
  ctx.redirect(next.url);
}

const interactionId = (ctx: AppContext) => (typeof ctx.query.interaction === 'string' ? ctx.query.interaction : (ctx.state.form?.interaction ?? ''));

/** The pending sign-in itself cannot go on: no form helps, the user starts again at the application. */
const INTERRUPTIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['interaction_expired', 'interaction_forbidden', 'interaction_state', 'interaction_client_gone']);

/** Shows a flow error as a page; anything not an expected refusal goes to the error middleware. */
function refusal(ctx: AppContext, config: Config, error: unknown, rerender?: (problem: FormProblem) => void): void {
  if (!isOAuthError(error) || error.status >= 500) throw error;
  const retryAfter = error.headers['Retry-After'];
  if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
  if (!rerender || INTERRUPTIONS.has(error.code)) {
    return renderPage(ctx, pageView(ctx, config), { title: 'Sign-in interrupted', body: html`<p class="error" role="alert">${error.description}.</p><p>Go back to the application and start again.</p>`, status: error.status });
  }
  rerender(FormProblem.from(error, pageView(ctx, config).t));
}

export interface SignInPageDeps {
  config: Config;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
}

/** GET and POST /login, /login/totp and /consent; the POSTs need the form body parser before them. */
export function signInHandlers(deps: SignInPageDeps) {
  const { config, authorization, browserSessions } = deps;
  const load = async (ctx: AppContext, csrf: string | undefined): Promise<Interaction> => authorization.interaction(interactionId(ctx), csrf);

  const renderLogin = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: FormProblem, email?: string) =>
    renderPage(ctx, pageView(ctx, config), { title: `Sign in to continue to ${interaction.client.name}`, body: html`<form method="post" action="/login" novalidate>
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${email ?? interaction.request.loginHint ?? ''}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="/forgot-password">Forgot your password?</a></p>
<p>New here? <a href="/register">Create an account</a></p>`, status: problem?.status ?? 200 });

  const renderTotp = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: FormProblem) =>
    renderPage(ctx, pageView(ctx, config), { title: 'Enter your code', body: html`<form method="post" action="/login/totp" novalidate>
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="code">Code from your authenticator app, or a backup code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button>
</form>`, status: problem?.status ?? 200 });

  const renderConsent = (ctx: AppContext, interaction: Interaction, csrf: string) => {
    const items = interaction.request.scopes.map((scope) => html`<li>${scopeInWords(scope)}</li>`);
    renderPage(ctx, pageView(ctx, config), { title: `${interaction.client.name} wants to`, body: html`<ul>${joinHtml(items)}</ul>
<form method="post" action="/consent">
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>` });
  };

  async function loginPage(ctx: AppContext): Promise<void> {
    const csrf = csrfSecret(ctx, config);
    try {
      renderLogin(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, config, error);
    }
  }

  async function submitLogin(ctx: AppContext): Promise<void> {
    let interaction: Interaction;
    try {
      interaction = await load(ctx, formCsrf(ctx, config));
    } catch (error) {
      return refusal(ctx, config, error);
    }
    const email = ctx.state.form.email ?? '';
    try {
      answerNext(ctx, deps, await authorization.submitPassword(interaction, email, ctx.state.form.password ?? '', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, config, error, (problem) => renderLogin(ctx, interaction, formCsrf(ctx, config)!, problem, email.slice(0, 320)));
    }
  }

  async function totpPage(ctx: AppContext): Promise<void> {
    const csrf = csrfSecret(ctx, config);
    try {
      renderTotp(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, config, error);
    }
  }

  async function submitTotp(ctx: AppContext): Promise<void> {
    let interaction: Interaction;
    try {
      interaction = await load(ctx, formCsrf(ctx, config));
    } catch (error) {
      return refusal(ctx, config, error);
    }
    try {
      answerNext(ctx, deps, await authorization.submitCode(interaction, ctx.state.form.code ?? '', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, config, error, (problem) => renderTotp(ctx, interaction, formCsrf(ctx, config)!, problem));
    }
  }

  async function consentPage(ctx: AppContext): Promise<void> {
    const csrf = csrfSecret(ctx, config);
    try {
      renderConsent(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, config, error);
    }
  }

  async function submitConsent(ctx: AppContext): Promise<void> {
    try {
      const interaction = await load(ctx, formCsrf(ctx, config));
      const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
      answerNext(ctx, deps, await authorization.submitConsent(interaction, browser, ctx.state.form.decision === 'approve', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, config, error);
    }
  }

  return { loginPage, submitLogin, totpPage, submitTotp, consentPage, submitConsent };
}

const joinHtml = (items: SafeHtml[]): SafeHtml => new SafeHtml(items.map((item) => item.value).join('\n'));

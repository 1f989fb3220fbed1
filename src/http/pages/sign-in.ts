// The hosted sign-in pages of the authorization code flow: password, TOTP, consent. Plain HTML
// forms that work without JavaScript, a CSRF secret on every form, 303 after every POST, and the
// same lockout, rate limits and audit events as the JSON API (their errors are shown on the page).
import type Router from '@koa/router';
import type { Next as FlowNext } from '../../domain/oidc/authorization-flow.js';
import type { Interaction } from '../../domain/oidc/authorization-flow.js';
import { isOAuthError, type OAuthError } from '../../errors/oauth-error.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf, sessionCookie, setSessionCookie } from './browser-cookies.js';
import { html, renderPage, SafeHtml } from './layout.js';
import { scopeInWords } from './scope-words.js';

const STEP_PATHS = { login: '/login', totp: '/login/totp', consent: '/consent' } as const;

/** Sends the browser where the flow says: a redirect (303), a page of the flow, or signed in. */
export function answerNext(ctx: AppContext, services: Services, next: FlowNext): void {
  ctx.status = 303;
  if (next.kind === 'page') return ctx.redirect(`${STEP_PATHS[next.step]}?interaction=${next.interactionId}`);
  if (next.kind === 'signed_in') setSessionCookie(ctx, services.config, next.browserSecret);
  ctx.redirect(next.url);
}

const interactionId = (ctx: AppContext) => (typeof ctx.query.interaction === 'string' ? ctx.query.interaction : (ctx.state.form?.interaction ?? ''));

/** Shows a flow error as a page; anything not an expected refusal goes to the error middleware. */
function refusal(ctx: AppContext, error: unknown, rerender?: (problem: string) => void): void {
  if (!isOAuthError(error) || error.status >= 500) throw error;
  const oauthError = error as OAuthError;
  for (const [name, value] of Object.entries(oauthError.headers)) if (name === 'Retry-After') ctx.set(name, value);
  if (!rerender || (oauthError.code === 'invalid_request' && /expired|browser|start again|no longer|not waiting/.test(oauthError.description))) {
    return renderPage(ctx, 'Sign-in interrupted', html`<p class="error" role="alert">${oauthError.description}.</p><p>Go back to the application and start again.</p>`, oauthError.status);
  }
  rerender(oauthError.description);
  ctx.status = oauthError.status;
}

export function signInPages(router: Router<AppState>, services: Services): void {
  const { config } = services;
  const form = formBody(config.bodyLimit);
  const load = async (ctx: AppContext, csrf: string | undefined): Promise<Interaction> => services.authorization.interaction(interactionId(ctx), csrf);

  const loginPage = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: string, email?: string) =>
    renderPage(
      ctx,
      `Sign in to continue to ${interaction.client.name}`,
      html`<form method="post" action="/login" novalidate>
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${email ?? interaction.request.loginHint ?? ''}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="/forgot-password">Forgot your password?</a></p>
<p>New here? <a href="/register">Create an account</a></p>`,
      problem ? 401 : 200,
    );

  const totpPage = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: string) =>
    renderPage(
      ctx,
      'Enter your code',
      html`<form method="post" action="/login/totp" novalidate>
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<label for="code">Code from your authenticator app, or a backup code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button>
</form>`,
      problem ? 401 : 200,
    );

  const consentPage = (ctx: AppContext, interaction: Interaction, csrf: string) => {
    const items = interaction.request.scopes.map((scope) => html`<li>${scopeInWords(scope)}</li>`);
    renderPage(
      ctx,
      `${interaction.client.name} wants to`,
      html`<ul>${joinHtml(items)}</ul>
<form method="post" action="/consent">
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
    );
  };

  router.get('/login', async (ctx) => {
    const csrf = csrfSecret(ctx, config);
    try {
      loginPage(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, error);
    }
  });

  router.post('/login', form, async (ctx) => {
    let interaction: Interaction;
    try {
      interaction = await load(ctx, formCsrf(ctx, config));
    } catch (error) {
      return refusal(ctx, error);
    }
    const email = ctx.state.form.email ?? '';
    try {
      answerNext(ctx, services, await services.authorization.submitPassword(interaction, email, ctx.state.form.password ?? '', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, error, (problem) => loginPage(ctx, interaction, formCsrf(ctx, config)!, problem, email.slice(0, 320)));
    }
  });

  router.get('/login/totp', async (ctx) => {
    const csrf = csrfSecret(ctx, config);
    try {
      totpPage(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, error);
    }
  });

  router.post('/login/totp', form, async (ctx) => {
    let interaction: Interaction;
    try {
      interaction = await load(ctx, formCsrf(ctx, config));
    } catch (error) {
      return refusal(ctx, error);
    }
    try {
      answerNext(ctx, services, await services.authorization.submitCode(interaction, ctx.state.form.code ?? '', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, error, (problem) => totpPage(ctx, interaction, formCsrf(ctx, config)!, problem));
    }
  });

  router.get('/consent', async (ctx) => {
    const csrf = csrfSecret(ctx, config);
    try {
      consentPage(ctx, await load(ctx, csrf), csrf);
    } catch (error) {
      refusal(ctx, error);
    }
  });

  router.post('/consent', form, async (ctx) => {
    try {
      const interaction = await load(ctx, formCsrf(ctx, config));
      const browser = await services.browserSessions.find(ctx.cookies.get(sessionCookie(config)));
      answerNext(ctx, services, await services.authorization.submitConsent(interaction, browser, ctx.state.form.decision === 'approve', requestMeta(ctx)));
    } catch (error) {
      refusal(ctx, error);
    }
  });
}

const joinHtml = (items: SafeHtml[]): SafeHtml => new SafeHtml(items.map((item) => item.value).join('\n'));

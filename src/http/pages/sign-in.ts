// The hosted sign-in pages of the authorization code flow: password, TOTP, consent. Plain HTML
// forms that work without JavaScript, a CSRF secret on every form, 303 after every POST, and the
// same lockout, rate limits and audit events as the JSON API (their errors are shown on the page).
// Each page speaks the language of the sign-in's `ui_locales`, else the browser's (view.ts), and
// its links keep the sign-in in progress: sign-up and a forgotten password lead back to it.
import type { Config } from '../../config/config.js';
import { ACCOUNT_PATH } from '../../domain/accounts/registration.js';
import type { AuthorizationFlow, Interaction, Next as FlowNext } from '../../domain/oidc/authorization-flow.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import type { UpstreamButton } from '../../domain/upstreams/upstream-sign-in.js';
import { isOAuthError, type ErrorCode } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { clearSessionCookie, csrfSecret, formCsrf, sessionCookie, setSessionCookie } from './browser-cookies.js';
import { errorMessage, FormProblem, problemHtml } from './form-problem.js';
import { html, joinHtml, renderPage, type SafeHtml } from './layout.js';
import { browserPasskeyError } from './passkey-errors.js';
import { PASSKEY_SCRIPTS } from './passkey-script.js';
import { pageView, type PageView } from './view.js';

const STEP_PATHS = { login: '/login', totp: '/login/totp', consent: '/consent' } as const;
/** A passkey's answer at the login or TOTP step (docs/passkeys.md), and where its options come from. */
export const PASSKEY_SIGN_IN_PATH = '/login/passkey';
export const PASSKEY_SIGN_IN_OPTIONS_PATH = '/login/passkey/options';

/** Sends the browser where the flow says: a redirect (303), a page of the flow, or signed in. */
export function answerNext(ctx: AppContext, deps: { config: Config }, next: FlowNext): void {
  ctx.status = 303;
  if (next.kind === 'page') return ctx.redirect(`${STEP_PATHS[next.step]}?interaction=${next.interactionId}`);
  if (next.kind === 'signed_in') setSessionCookie(ctx, deps.config, next.browserSecret);
  ctx.redirect(next.url);
}

/** The login page of a sign-in in progress, for links that return to it. */
export const loginPath = (interactionId: string): string => `${STEP_PATHS.login}?interaction=${encodeURIComponent(interactionId)}`;

const interactionId = (ctx: AppContext) => (typeof ctx.query.interaction === 'string' ? ctx.query.interaction : (ctx.state.form?.interaction ?? ''));

/** The pending sign-in itself cannot go on: no form helps, the user starts again at the application. */
const INTERRUPTIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['interaction_expired', 'interaction_forbidden', 'interaction_state', 'interaction_client_gone']);

/** The view of a sign-in page: the sign-in's ui_locales win over the browser's languages. */
const viewOf = (ctx: AppContext, config: Config, interaction?: Interaction): PageView => pageView(ctx, config, interaction?.request.uiLocales);

/**
 * Shows a flow error as a page: the form again with the words for it, or, when the sign-in cannot
 * go on, a page that says so. Anything not an expected refusal goes on to the page errors.
 */
function refusal(ctx: AppContext, view: PageView, error: unknown, rerender?: (problem: FormProblem) => void): void {
  if (!isOAuthError(error) || error.status >= 500) throw error;
  const retryAfter = error.headers['Retry-After'];
  if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
  if (rerender && !INTERRUPTIONS.has(error.code)) return rerender(FormProblem.from(error, view.t));
  const { t } = view;
  // The interaction codes already say to start again at the application; other refusals do not.
  const startAgain = INTERRUPTIONS.has(error.code) ? '' : html`<p>${t.signIn.interrupted.startAgain}</p>`;
  renderPage(ctx, view, {
    title: t.signIn.interrupted.title,
    body: html`<p class="error" role="alert">${errorMessage(error, t)}</p>
${startAgain}
<p><a href="${ACCOUNT_PATH}">${t.common.goToAccount}</a></p>`,
    status: error.status,
  });
}

export interface SignInPageDeps {
  config: Config;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
  /** The upstream providers offered as "Continue with …" (docs/upstreams.md). */
  upstreams?: { buttons(): Promise<readonly UpstreamButton[]> };
}

/** GET and POST /login, /login/totp and /consent; the POSTs need the form body parser before them. */
export function signInHandlers(deps: SignInPageDeps) {
  const { config, authorization, browserSessions } = deps;
  const load = async (ctx: AppContext, csrf: string | undefined): Promise<Interaction> => authorization.interaction(interactionId(ctx), csrf);
  const hidden = (interaction: Interaction, csrf: string) => html`<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">`;
  const withInteraction = (path: string, interaction: Interaction) => `${path}?interaction=${encodeURIComponent(interaction.id)}`;

  /** The upstream providers' buttons (docs/upstreams.md), read on every render: a deleted one is gone at once. */
  const upstreamButtons = async (): Promise<readonly UpstreamButton[]> => (deps.upstreams ? deps.upstreams.buttons() : []);
  /** "Continue with …": plain forms (no script), each posting this sign-in to /upstream/NAME/start. */
  const upstreamForms = (interaction: Interaction, csrf: string, buttons: readonly UpstreamButton[], t: PageView['t']): SafeHtml | string =>
    buttons.length === 0
      ? ''
      : html`<div class="upstreams">
<p class="hint">${t.upstream.or}</p>
${joinHtml(buttons.map((button) => html`<form method="post" action="/upstream/${button.name}/start">
${hidden(interaction, csrf)}
<button type="submit" class="secondary">${t.upstream.continueWith(button.displayName)}</button>
</form>`))}
</div>`;

  const renderLogin = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: FormProblem, email?: string, buttons: readonly UpstreamButton[] = []) => {
    const view = viewOf(ctx, config, interaction);
    const { t } = view;
    // A sign-in to our own account pages has no application to name (beginAccountSignIn).
    const title = interaction.request.returnTo === undefined ? t.signIn.login.titleApp(interaction.client.name) : t.signIn.login.titleAccount(view.brandName);
    renderPage(ctx, view, {
      title,
      body: html`<form method="post" action="${STEP_PATHS.login}" novalidate>
${hidden(interaction, csrf)}
${problemHtml(problem)}
<label for="email">${t.signIn.email}</label>
<input id="email" name="email" type="email" autocomplete="username webauthn" value="${email ?? interaction.request.loginHint ?? ''}" required>
<label for="password">${t.signIn.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t.signIn.login.submit}</button>
</form>
${passkeyForm(interaction, csrf, 'sign-in', t.passkeys.orPassword, t.passkeys.signIn)}
${upstreamForms(interaction, csrf, buttons, t)}
<p><a href="${withInteraction('/forgot-password', interaction)}">${t.signIn.login.forgotPassword}</a></p>
<p>${t.signIn.login.newHere} <a href="${withInteraction('/register', interaction)}">${t.signIn.login.createAccount}</a></p>`,
      status: problem?.status ?? 200,
      scripts: PASSKEY_SCRIPTS,
    });
  };

  /**
   * The passkey button (docs/passkeys.md): hidden until the script finds WebAuthn in the browser,
   * so without JavaScript the page is the password form alone. At the login step it also asks for
   * passkey autofill on the email field (`autocomplete="username webauthn"`).
   */
  const passkeyForm = (interaction: Interaction, csrf: string, kind: 'sign-in' | 'second-factor', intro: string, button: string): SafeHtml => html`<form method="post" action="${PASSKEY_SIGN_IN_PATH}" class="passkey-form" data-passkey="${kind}" data-options="${PASSKEY_SIGN_IN_OPTIONS_PATH}"${kind === 'sign-in' ? html` data-autofill="email"` : ''} hidden>
${hidden(interaction, csrf)}
<input type="hidden" name="ceremony" value="">
<input type="hidden" name="credential" value="">
<input type="hidden" name="error" value="">
<p class="hint">${intro}</p>
<button type="submit" class="secondary">${button}</button>
</form>`;

  const renderTotp = (ctx: AppContext, interaction: Interaction, csrf: string, problem?: FormProblem, offerPasskey = false) => {
    const view = viewOf(ctx, config, interaction);
    const { t } = view;
    // No inputmode="numeric": backup codes have letters, and a digits-only keyboard cannot type them.
    renderPage(ctx, view, {
      title: t.signIn.totp.title,
      body: html`<p>${t.signIn.totp.intro}</p>
<form method="post" action="${STEP_PATHS.totp}" novalidate>
${hidden(interaction, csrf)}
${problemHtml(problem)}
<label for="code">${t.signIn.totp.label}</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" aria-describedby="code-hint" required>
<p class="hint" id="code-hint">${t.signIn.totp.hint}</p>
<button type="submit">${t.signIn.totp.submit}</button>
</form>
${offerPasskey ? passkeyForm(interaction, csrf, 'second-factor', t.passkeys.insteadIntro, t.passkeys.instead) : ''}`,
      status: problem?.status ?? 200,
      ...(offerPasskey ? { scripts: PASSKEY_SCRIPTS } : {}),
    });
  };

  const renderConsent = (ctx: AppContext, interaction: Interaction, csrf: string) => {
    const view = viewOf(ctx, config, interaction);
    const { t } = view;
    const app = interaction.client.name;
    const items = interaction.request.scopes.map((scope) => html`<li>${t.signIn.scopes(scope)}</li>`);
    const who = interaction.user
      ? html`<p class="signed-in-as">${t.signIn.consent.signedInAs(interaction.user.email)}</p>
<form method="post" action="${STEP_PATHS.consent}">
${hidden(interaction, csrf)}
<button type="submit" name="decision" value="switch_account" class="link">${t.signIn.consent.notYou}</button>
</form>`
      : '';
    renderPage(ctx, view, {
      title: t.signIn.consent.title(app),
      body: html`${who}
<p>${t.signIn.consent.intro(app)}</p>
<ul class="scopes">${joinHtml(items)}</ul>
<form method="post" action="${STEP_PATHS.consent}" class="actions">
${hidden(interaction, csrf)}
<button type="submit" name="decision" value="approve">${t.signIn.consent.allow}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.signIn.consent.deny}</button>
</form>
<p class="hint">${t.signIn.consent.later}</p>`,
    });
  };

  /** A GET of a step: its page, or the page saying the sign-in cannot go on. */
  const showStep = (render: (ctx: AppContext, interaction: Interaction, csrf: string) => void | Promise<void>) =>
    async function stepPage(ctx: AppContext): Promise<void> {
      const csrf = csrfSecret(ctx, config);
      let interaction: Interaction;
      try {
        interaction = await load(ctx, csrf);
      } catch (error) {
        return refusal(ctx, viewOf(ctx, config), error);
      }
      await render(ctx, interaction, csrf);
    };

  /** The POST of a step: its interaction, loaded behind the form's CSRF secret, or undefined after answering. */
  async function loadPosted(ctx: AppContext): Promise<Interaction | undefined> {
    try {
      return await load(ctx, formCsrf(ctx, config));
    } catch (error) {
      refusal(ctx, viewOf(ctx, config), error);
      return undefined;
    }
  }

  /** The request's metadata, with the page's language for the mails it may cause (a lockout notice). */
  const metaOf = (ctx: AppContext, view: PageView) => ({ ...requestMeta(ctx), locale: view.locale });

  async function submitLogin(ctx: AppContext): Promise<void> {
    const interaction = await loadPosted(ctx);
    if (!interaction) return;
    const view = viewOf(ctx, config, interaction);
    const email = ctx.state.form.email ?? '';
    try {
      answerNext(ctx, deps, await authorization.submitPassword(interaction, email, ctx.state.form.password ?? '', metaOf(ctx, view)));
    } catch (error) {
      const buttons = await upstreamButtons();
      refusal(ctx, view, error, (problem) => renderLogin(ctx, interaction, formCsrf(ctx, config)!, problem, email.slice(0, 320), buttons));
    }
  }

  async function submitTotp(ctx: AppContext): Promise<void> {
    const interaction = await loadPosted(ctx);
    if (!interaction) return;
    const view = viewOf(ctx, config, interaction);
    const offerPasskey = await authorization.offersPasskey(interaction);
    try {
      answerNext(ctx, deps, await authorization.submitCode(interaction, ctx.state.form.code ?? '', metaOf(ctx, view)));
    } catch (error) {
      refusal(ctx, view, error, (problem) => renderTotp(ctx, interaction, formCsrf(ctx, config)!, problem, offerPasskey));
    }
  }

  /**
   * POST /login/passkey/options (JSON, for the script): WebAuthn options bound to this sign-in,
   * behind the form's CSRF secret like every step. Errors are JSON; the script then posts the
   * passkey form, whose page says what happened.
   */
  async function passkeyOptions(ctx: AppContext): Promise<void> {
    const interaction = await load(ctx, formCsrf(ctx, config));
    ctx.body = await authorization.passkeyOptions(interaction, metaOf(ctx, viewOf(ctx, config, interaction)));
  }

  /** POST /login/passkey: the passkey's answer (or the browser's error) in place of a password or a code. */
  async function submitPasskey(ctx: AppContext): Promise<void> {
    const interaction = await loadPosted(ctx);
    if (!interaction) return;
    const view = viewOf(ctx, config, interaction);
    const { ceremony = '', credential = '', error } = ctx.state.form;
    const offerPasskey = await authorization.offersPasskey(interaction);
    try {
      if (error || !credential) throw browserPasskeyError(error || 'Error');
      answerNext(ctx, deps, await authorization.submitPasskey(interaction, ceremony, credential, metaOf(ctx, view)));
    } catch (thrown) {
      const csrf = formCsrf(ctx, config)!;
      refusal(ctx, view, thrown, (problem) => (interaction.step === 'totp' ? renderTotp(ctx, interaction, csrf, problem, offerPasskey) : renderLogin(ctx, interaction, csrf, problem)));
    }
  }

  async function submitConsent(ctx: AppContext): Promise<void> {
    const interaction = await loadPosted(ctx);
    if (!interaction) return;
    const view = viewOf(ctx, config, interaction);
    try {
      const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
      const decision = ctx.state.form.decision;
      if (decision === 'switch_account') {
        const next = await authorization.switchAccount(interaction, browser, metaOf(ctx, view));
        clearSessionCookie(ctx, config);
        return answerNext(ctx, deps, next);
      }
      answerNext(ctx, deps, await authorization.submitConsent(interaction, browser, decision === 'approve', metaOf(ctx, view)));
    } catch (error) {
      refusal(ctx, view, error);
    }
  }

  return {
    loginPage: showStep(async (ctx, interaction, csrf) => renderLogin(ctx, interaction, csrf, undefined, undefined, await upstreamButtons())),
    submitLogin,
    totpPage: showStep(async (ctx, interaction, csrf) => renderTotp(ctx, interaction, csrf, undefined, await authorization.offersPasskey(interaction))),
    submitTotp,
    passkeyOptions,
    submitPasskey,
    consentPage: showStep(renderConsent),
    submitConsent,
  };
}

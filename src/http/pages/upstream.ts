// Signing in through an upstream provider (docs/upstreams.md): "Continue with …" on the sign-in
// page posts to /upstream/NAME/start, which sends the browser to the provider; the provider sends
// it back to /upstream/NAME/callback, and the sign-in goes on where a password would take it. When
// an account with the provider's email exists here, /upstream/confirm asks for its password (and
// code) once before linking. Every failure is a page that says why, never a hang (the domain's
// outbound calls have timeouts) and never a half sign-in.
import type { Config } from '../../config/config.js';
import type { AuthorizationFlow, Interaction } from '../../domain/oidc/authorization-flow.js';
import type { BrowserSessions } from '../../domain/oidc/browser-sessions.js';
import type { UpstreamSignIn } from '../../domain/upstreams/upstream-sign-in.js';
import { isOAuthError, type OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { ACCOUNT_PATHS, accountPath } from './account/nav.js';
import { csrfCookie, csrfSecret, formCsrf, sessionCookie, takeReauthReturn } from './browser-cookies.js';
import { errorMessage, FormProblem, problemHtml } from './form-problem.js';
import { html, renderPage } from './layout.js';
import { answerNext, loginPath } from './sign-in.js';
import { pageView, type PageView } from './view.js';

export const UPSTREAM_CONFIRM_PATH = '/upstream/confirm';

export interface UpstreamPageDeps {
  config: Config;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
  upstreamSignIn: UpstreamSignIn;
}

/** Where the person can go on from a failure. */
type Back = { href: string; label: 'signIn' | 'connections' | 'account' };

export function upstreamPageHandlers(deps: UpstreamPageDeps) {
  const { config, authorization, browserSessions, upstreamSignIn } = deps;
  const viewOf = (ctx: AppContext, interaction?: Interaction): PageView => pageView(ctx, config, interaction?.request.uiLocales);
  const metaOf = (ctx: AppContext, view: PageView) => ({ ...requestMeta(ctx), locale: view.locale });

  /** A page saying why nobody was signed in (or nothing linked), with the way on. */
  function failure(ctx: AppContext, view: PageView, error: OAuthError, back: Back): void {
    const { t } = view;
    const label = back.label === 'signIn' ? t.signIn.backToSignIn : back.label === 'connections' ? t.upstream.backToConnections : t.common.goToAccount;
    const retryAfter = error.headers['Retry-After'];
    if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
    renderPage(ctx, view, {
      title: t.upstream.failedTitle,
      status: error.status,
      body: html`<p class="error" role="alert">${errorMessage(error, t)}</p>
<p><a href="${back.href}">${label}</a></p>`,
    });
  }

  /** Expected refusals become the failure page; anything else goes on to the page errors. */
  const expected = (error: unknown): error is OAuthError => isOAuthError(error) && (error.status < 500 || error.code === 'upstream_unavailable');
  const interactionBack = (interaction: Interaction | undefined): Back =>
    interaction ? { href: loginPath(interaction.id), label: 'signIn' } : { href: ACCOUNT_PATHS.profile, label: 'account' };

  /**
   * GET or POST /upstream/NAME/start: the pending sign-in (its CSRF binding checked: the form's
   * secret for a POST, the cookie for a GET) goes to the provider.
   */
  async function start(ctx: RouteContext): Promise<void> {
    const posted = ctx.method === 'POST';
    const id = posted ? (ctx.state.form.interaction ?? '') : typeof ctx.query.interaction === 'string' ? ctx.query.interaction : '';
    const csrf = posted ? formCsrf(ctx, config) : csrfSecret(ctx, config);
    let interaction: Interaction | undefined;
    try {
      interaction = await authorization.interaction(id, csrf);
      const url = await upstreamSignIn.startSignIn(ctx.params.name ?? '', interaction, csrf!);
      ctx.status = 303;
      ctx.redirect(url);
    } catch (error) {
      if (!expected(error)) throw error;
      failure(ctx, viewOf(ctx, interaction), error, interactionBack(interaction));
    }
  }

  /** GET /upstream/NAME/callback: the provider's answer. */
  async function callback(ctx: RouteContext): Promise<void> {
    const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
    const view = viewOf(ctx);
    // The CSRF cookie binds the request sent to the provider to this browser; no new one is made here.
    const signedIn = browser ? { userId: browser.user.id, sessionId: browser.session.id } : undefined;
    const outcome = await upstreamSignIn.callback(ctx.params.name ?? '', new URLSearchParams(ctx.querystring), ctx.cookies.get(csrfCookie(config)), signedIn, metaOf(ctx, view));
    const reauthReturn = takeReauthReturn(ctx, config);
    switch (outcome.kind) {
      case 'continue':
        return answerNext(ctx, deps, outcome.next);
      case 'confirm':
        ctx.status = 303;
        return ctx.redirect(`${UPSTREAM_CONFIRM_PATH}?interaction=${encodeURIComponent(outcome.interactionId)}`);
      case 'linked':
        ctx.status = 303;
        return ctx.redirect(`${ACCOUNT_PATHS.connections}?done=connectionLinked`);
      case 'reauthenticated':
        // Back to the account page that asked (only one of ours: accountPath checks).
        ctx.status = 303;
        return ctx.redirect(accountPath(reauthReturn) ?? ACCOUNT_PATHS.profile);
      case 'failed': {
        // For the operator: why (the person's page says it in their words, without the details).
        ctx.state.log.info({ upstream: ctx.params.name, code: outcome.error.code, detail: outcome.error.detail }, 'upstream sign-in failed');
        const back: Back =
          outcome.purpose === 'link'
            ? { href: ACCOUNT_PATHS.connections, label: 'connections' }
            : outcome.purpose === 'reauthenticate'
              ? { href: ACCOUNT_PATHS.profile, label: 'account' }
            : outcome.interactionId && !['interaction_expired', 'interaction_forbidden', 'interaction_client_gone'].includes(outcome.error.code)
              ? { href: loginPath(outcome.interactionId), label: 'signIn' }
              : { href: ACCOUNT_PATHS.profile, label: 'account' };
        return failure(ctx, view, outcome.error, back);
      }
    }
  }

  function renderConfirm(ctx: AppContext, interaction: Interaction, csrf: string, confirmation: Awaited<ReturnType<UpstreamSignIn['confirmation']>>, problem?: FormProblem): void {
    const view = viewOf(ctx, interaction);
    const { t } = view;
    const provider = confirmation.upstream.displayName;
    const code = confirmation.mfa
      ? html`<label for="code">${t.upstream.confirm.code}</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required>`
      : '';
    renderPage(ctx, view, {
      title: t.upstream.confirm.title(provider),
      status: problem?.status ?? 200,
      body: html`<p>${t.upstream.confirm.intro(provider, confirmation.email)}</p>
<form method="post" action="${UPSTREAM_CONFIRM_PATH}" novalidate>
<input type="hidden" name="interaction" value="${interaction.id}">
<input type="hidden" name="csrf" value="${csrf}">
${problemHtml(problem)}
<label for="password">${t.signIn.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
${code}
<button type="submit">${t.upstream.confirm.submit}</button>
</form>
<p><a href="${loginPath(interaction.id)}">${t.upstream.confirm.cancel}</a></p>`,
    });
  }

  /** GET /upstream/confirm: the existing account's password, asked for once before linking. */
  async function confirmPage(ctx: AppContext): Promise<void> {
    const csrf = csrfSecret(ctx, config);
    let interaction: Interaction | undefined;
    try {
      interaction = await authorization.interaction(typeof ctx.query.interaction === 'string' ? ctx.query.interaction : '', csrf);
      renderConfirm(ctx, interaction, csrf, await upstreamSignIn.confirmation(interaction));
    } catch (error) {
      if (!expected(error)) throw error;
      failure(ctx, viewOf(ctx, interaction), error, interactionBack(interaction));
    }
  }

  /** POST /upstream/confirm: right, and the identity is linked and the sign-in goes on; wrong, and the form again. */
  async function confirm(ctx: AppContext): Promise<void> {
    const csrf = formCsrf(ctx, config);
    let interaction: Interaction | undefined;
    try {
      interaction = await authorization.interaction(ctx.state.form.interaction ?? '', csrf);
      const confirmation = await upstreamSignIn.confirmation(interaction);
      const view = viewOf(ctx, interaction);
      try {
        answerNext(ctx, deps, await upstreamSignIn.confirmLink(interaction, ctx.state.form.password ?? '', ctx.state.form.code ?? '', metaOf(ctx, view)));
      } catch (error) {
        if (!isOAuthError(error) || error.status >= 500 || error.code.startsWith('upstream_') || error.code.startsWith('interaction_')) throw error;
        const retryAfter = error.headers['Retry-After'];
        if (retryAfter !== undefined) ctx.set('Retry-After', retryAfter);
        renderConfirm(ctx, interaction, csrf!, confirmation, FormProblem.from(error, view.t));
      }
    } catch (error) {
      if (!expected(error)) throw error;
      failure(ctx, viewOf(ctx, interaction), error, interactionBack(interaction));
    }
  }

  return { start, callback, confirmPage, confirm };
}

// /account/confirm?return=PATH (docs/account.md, Re-authentication): a sensitive change came here
// because the last sign-in is older than 5 minutes. The current password, or for a person with 2FA
// a code, moves the browser session's auth_time to now (BrowserSessions.reauthenticate: the same
// limits and lockout as a sign-in), and the browser goes back to the account page it came from.
import type { Config } from '../../../config/config.js';
import type { BrowserSessions } from '../../../domain/oidc/browser-sessions.js';
import type { UpstreamSignIn } from '../../../domain/upstreams/upstream-sign-in.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { setReauthReturn } from '../browser-cookies.js';
import { problemHtml, type FormProblem } from '../form-problem.js';
import { html, joinHtml } from '../layout.js';
import { formProblem, renderAccount, seeOther, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS, CONFIRM_PATH, accountPath, type AccountPath } from './nav.js';

/** Only an account page of ours, never an address someone put in a link. */
const returnOf = (value: unknown): AccountPath => accountPath(value) ?? ACCOUNT_PATHS.profile;

export function confirmPage(gate: AccountGate, config: Config, browserSessions: BrowserSessions, upstreams: UpstreamSignIn) {
  async function render(ctx: AppContext, visit: Visit, returnTo: AccountPath, problem?: { with: 'password' | 'code' | 'provider'; problem: FormProblem }): Promise<void> {
    const p = visit.view.t.account.confirm;
    const hidden = html`<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="return" value="${returnTo}">`;
    const codeForm = visit.browser.user.mfaEnabled
      ? html`<p>${p.codeIntro}</p>
<form method="post" action="${CONFIRM_PATH}" novalidate>
${hidden}
${problemHtml(problem?.with === 'code' ? problem.problem : undefined)}
<label for="code">${p.code}</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required>
<button type="submit" class="secondary">${p.submitCode}</button>
</form>`
      : '';
    // A person who signs in only through providers has no password or code to give: a provider
    // linked to the account can vouch for them instead (UpstreamSignIn.startReauthentication).
    const linked = (await upstreams.connections(visit.browser.user.id)).filter((connection) => connection.identity);
    const providerForms =
      linked.length > 0
        ? html`<p>${p.providerIntro}</p>
${problemHtml(problem?.with === 'provider' ? problem.problem : undefined)}
${joinHtml(
  linked.map(
    ({ upstream }) => html`<form method="post" action="${CONFIRM_PATH}" class="inline">
${hidden}
<input type="hidden" name="upstream" value="${upstream.name}">
<button type="submit" class="secondary">${p.provider(upstream.displayName)}</button>
</form>`,
  ),
)}`
        : '';
    renderAccount(ctx, visit, undefined, {
      title: p.title,
      status: problem?.problem.status,
      body: html`<p>${p.intro}</p>
<form method="post" action="${CONFIRM_PATH}" novalidate>
${hidden}
${problemHtml(problem?.with === 'password' ? problem.problem : undefined)}
<label for="password">${p.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${p.submit}</button>
</form>
${codeForm}
${providerForms}`,
    });
  }

  async function page(ctx: AppContext): Promise<void> {
    const returnTo = returnOf(ctx.query.return);
    const visit = await gate.open(ctx, returnTo);
    if (visit) await render(ctx, visit, returnTo);
  }

  async function confirm(ctx: AppContext): Promise<void> {
    const returnTo = returnOf(ctx.state.form.return);
    const visit = await gate.submit(ctx, returnTo);
    if (!visit) return;
    const { password, code, upstream } = ctx.state.form;
    if (upstream !== undefined) {
      try {
        const url = await upstreams.startReauthentication(upstream, visit.browser.user, visit.csrf);
        setReauthReturn(ctx, config, returnTo);
        return seeOther(ctx, url);
      } catch (error) {
        return render(ctx, visit, returnTo, { with: 'provider', problem: formProblem(ctx, error, visit.view.t) });
      }
    }
    const proof = password === undefined && code !== undefined ? { code } : { password: password ?? '' };
    try {
      await browserSessions.reauthenticate(visit.browser, proof, requestMeta(ctx));
    } catch (error) {
      return await render(ctx, visit, returnTo, { with: 'code' in proof ? 'code' : 'password', problem: formProblem(ctx, error, visit.view.t) });
    }
    seeOther(ctx, returnTo);
  }

  return { page, confirm };
}

// /account/password (docs/account.md): the current password and a new one, after a recent sign-in.
// Every other session ends; this browser gets a fresh session (and cookie) and stays signed in.
import type { PasswordService } from '../../../domain/accounts/passwords.js';
import type { Config } from '../../../config/config.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { setSessionCookie } from '../browser-cookies.js';
import { problemHtml, type FormProblem } from '../form-problem.js';
import { html } from '../layout.js';
import { doneAt, formProblem, renderAccount, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

const PATH = ACCOUNT_PATHS.password;

export function passwordPage(gate: AccountGate, config: Config, passwords: PasswordService) {
  function render(ctx: AppContext, visit: Visit, problem?: FormProblem): void {
    const p = visit.view.t.account.password;
    renderAccount(ctx, visit, 'password', {
      title: p.title,
      status: problem?.status,
      body: html`<p>${p.intro}</p>
<form method="post" action="${PATH}" novalidate>
<input type="hidden" name="csrf" value="${visit.csrf}">
${problemHtml(problem)}
<label for="current_password">${p.current}</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
<label for="password">${p.new}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" aria-describedby="password-hint" required>
<p class="hint" id="password-hint">${p.hint}</p>
<button type="submit">${p.submit}</button>
</form>`,
    });
  }

  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (visit && gate.recent(ctx, visit, PATH)) render(ctx, visit);
  }

  async function change(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit || !gate.recent(ctx, visit, PATH)) return;
    const { current_password = '', password = '' } = ctx.state.form;
    try {
      const { browserSecret } = await passwords.changeInBrowser(visit.browser.user.id, visit.browser.session, current_password, password, requestMeta(ctx));
      setSessionCookie(ctx, config, browserSecret);
    } catch (error) {
      return render(ctx, visit, formProblem(ctx, error, visit.view.t));
    }
    doneAt(ctx, PATH, 'password');
  }

  return { page, change };
}

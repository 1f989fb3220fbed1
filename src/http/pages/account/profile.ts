// /account (docs/account.md): who is signed in, the name, and a change of email address. The email
// change needs the current password and a recent sign-in; the old address stays in force until the
// new one is verified (ProfileService.update), which the page says.
import type { ProfileService } from '../../../domain/accounts/profile.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { problemHtml, type FormProblem } from '../form-problem.js';
import { html } from '../layout.js';
import { doneAt, formProblem, renderAccount, seeOther, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS, SIGN_OUT_PATH } from './nav.js';

const PATH = ACCOUNT_PATHS.profile;

/** Which of the page's two forms a problem belongs to, and what was typed there. */
type Problem = { form: 'name'; problem: FormProblem; name: string } | { form: 'email'; problem: FormProblem; email: string };

export function profilePage(gate: AccountGate, profile: ProfileService) {
  function render(ctx: AppContext, visit: Visit, problem?: Problem): void {
    const { t } = visit.view;
    const { user } = visit.browser;
    const p = t.account.profile;
    const nameProblem = problem?.form === 'name' ? problem : undefined;
    const emailProblem = problem?.form === 'email' ? problem : undefined;
    const pending = user.pendingEmail ? html`<p class="notice">${p.pendingEmail(user.pendingEmail)}</p>` : '';
    renderAccount(ctx, visit, 'profile', {
      title: p.title,
      status: problem?.problem.status,
      body: html`<p>${p.signedInAs(user.name, user.email)}</p>
<form method="post" action="${SIGN_OUT_PATH}">
<input type="hidden" name="csrf" value="${visit.csrf}">
<button type="submit" class="secondary">${p.signOut}</button>
</form>
<h2>${p.nameHeading}</h2>
<form method="post" action="${PATH}" novalidate>
<input type="hidden" name="csrf" value="${visit.csrf}">
${problemHtml(nameProblem?.problem)}
<label for="name">${p.name}</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="200" value="${nameProblem?.name ?? user.name}" required>
<button type="submit">${p.saveName}</button>
</form>
<h2>${p.emailHeading}</h2>
<p>${p.currentEmail(user.email)}</p>
${pending}
<form method="post" action="${PATH}" novalidate>
<input type="hidden" name="csrf" value="${visit.csrf}">
${problemHtml(emailProblem?.problem)}
<label for="email">${p.newEmail}</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="320" value="${emailProblem?.email ?? ''}" required>
<label for="current_password">${p.currentPassword}</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
<p class="hint">${p.emailHint}</p>
<button type="submit">${p.changeEmail}</button>
</form>`,
    });
  }

  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (visit) render(ctx, visit);
  }

  /** POST /account: the name form, or the email form (which carries `email`). */
  async function update(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    const form = ctx.state.form;
    const userId = visit.browser.user.id;
    if (form.email === undefined) {
      const name = form.name ?? '';
      try {
        await profile.update(userId, { name }, requestMeta(ctx));
      } catch (error) {
        return render(ctx, visit, { form: 'name', problem: formProblem(ctx, error, visit.view.t), name: name.slice(0, 200) });
      }
      return doneAt(ctx, PATH, 'name');
    }
    if (!gate.recent(ctx, visit, PATH)) return;
    const email = form.email;
    let pending: string | undefined;
    try {
      const current_password = form.current_password ? form.current_password : undefined;
      pending = (await profile.update(userId, { email, current_password }, requestMeta(ctx))).pending_email;
    } catch (error) {
      return render(ctx, visit, { form: 'email', problem: formProblem(ctx, error, visit.view.t), email: email.slice(0, 320) });
    }
    // The same address as now changes nothing, and there is nothing to confirm.
    if (pending === undefined) return seeOther(ctx, PATH);
    doneAt(ctx, PATH, 'email');
  }

  return { page, update };
}

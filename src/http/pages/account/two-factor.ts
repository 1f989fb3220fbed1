// /account/two-factor (docs/account.md): TOTP (RFC 6238) turned on with a QR code rendered on the
// server and the key as text beside it, then a first code; the ten backup codes shown once; new
// codes for a code; turned off with the password and a code, after a recent sign-in. One POST path,
// its `action` field saying which form was sent.
import type { Config } from '../../../config/config.js';
import type { MfaService } from '../../../domain/mfa/mfa-service.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { problemHtml, type FormProblem } from '../form-problem.js';
import { html, type SafeHtml } from '../layout.js';
import { backupCodesHtml, backupCodesNote } from './backup-codes.js';
import { doneAt, formProblem, renderAccount, seeOther, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

const PATH = ACCOUNT_PATHS.twoFactor;
const ACTIONS = ['start', 'confirm', 'regenerate', 'disable'] as const;
type Action = (typeof ACTIONS)[number];

/** The key in groups of four, easier to read and type (authenticator apps ignore the spaces). */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

export function twoFactorPage(gate: AccountGate, config: Config, mfa: MfaService) {
  const note = backupCodesNote(config, mfa);

  async function render(ctx: AppContext, visit: Visit, problem?: { action: Action; problem: FormProblem }): Promise<void> {
    const { t } = visit.view;
    const p = t.account.twoFactor;
    const { user } = visit.browser;
    const form = (action: Action, fields: SafeHtml | string, button: string, kind?: 'secondary' | 'danger secondary') => html`<form method="post" action="${PATH}" novalidate>
<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="action" value="${action}">
${problemHtml(problem?.action === action ? problem.problem : undefined)}
${fields}
<button type="submit"${kind ? html` class="${kind}"` : ''}>${button}</button>
</form>`;
    // Only an app's code sets up 2FA or makes new backup codes: a digits keyboard. Turning it off
    // also takes a backup code (the phone may be lost), which has letters: no digits-only keyboard.
    const codeField = (id: string, backupCodeToo = false) => html`<label for="${id}">${backupCodeToo ? p.codeOrBackup : p.code}</label>
<input id="${id}" name="code" type="text"${backupCodeToo ? '' : html` inputmode="numeric"`} autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required>`;

    let body: SafeHtml;
    if (user.mfaEnabled) {
      const codes = note.take(ctx, visit);
      body = html`${codes ? backupCodesHtml(visit, codes) : ''}
<p>${p.on}</p>
<h2>${p.regenerateHeading}</h2>
<p>${p.regenerateIntro}</p>
${form('regenerate', codeField('regenerate-code'), p.regenerate)}
<h2>${p.turnOffHeading}</h2>
<p>${p.turnOffIntro}</p>
${form(
  'disable',
  html`<label for="disable-password">${p.password}</label>
<input id="disable-password" name="password" type="password" autocomplete="current-password" required>
${codeField('disable-code', true)}`,
  p.turnOff,
  'danger secondary',
)}`;
    } else {
      const pending = await mfa.pendingEnrolment(user.id);
      body = pending
        ? html`<p>${p.setupIntro}</p>
<p class="qr"><img class="qr-code" src="${pending.qr_code}" alt="${p.qrAlt}" width="256" height="256"></p>
<p>${p.secret}</p>
<code class="secret" id="totp-secret">${grouped(pending.secret)}</code>
${form('confirm', codeField('confirm-code'), p.confirm)}
${form('start', '', p.startAgain, 'secondary')}`
        : html`<p>${p.off}</p>
${form('start', '', p.turnOn)}`;
    }
    renderAccount(ctx, visit, 'twoFactor', { title: p.title, status: problem?.problem.status, body });
  }

  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (visit) await render(ctx, visit);
  }

  async function submit(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    const action = ACTIONS.find((known) => known === ctx.state.form.action) ?? 'start';
    if (action === 'disable' && !gate.recent(ctx, visit, PATH)) return;
    const userId = visit.browser.user.id;
    const { code = '', password = '' } = ctx.state.form;
    const meta = requestMeta(ctx);
    try {
      switch (action) {
        case 'start':
          await mfa.initiate(userId);
          return seeOther(ctx, PATH);
        case 'confirm':
          note.keep(ctx, visit, (await mfa.confirm(userId, code, meta)).backup_codes);
          return doneAt(ctx, PATH, 'mfaOn');
        case 'regenerate':
          note.keep(ctx, visit, (await mfa.regenerateBackupCodes(userId, code, meta)).backup_codes);
          return doneAt(ctx, PATH, 'codes');
        case 'disable':
          await mfa.disable(userId, password, code, meta);
          return doneAt(ctx, PATH, 'mfaOff');
      }
    } catch (error) {
      await render(ctx, visit, { action, problem: formProblem(ctx, error, visit.view.t) });
    }
  }

  return { page, submit };
}

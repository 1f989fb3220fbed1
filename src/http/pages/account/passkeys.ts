// /account/passkeys (docs/account.md, docs/passkeys.md): the person's passkeys, each renamed or
// removed with a plain form; "Add a passkey" runs the WebAuthn ceremony in the browser
// (passkey-script.ts) and posts its answer with the same form, so errors come back as a page.
// Adding and removing are sensitive: they need a sign-in within the last 5 minutes (gate.recent),
// as GitHub asks before either.
import type { Config } from '../../../config/config.js';
import type { BrowserSessions } from '../../../domain/oidc/browser-sessions.js';
import type { PasskeyService } from '../../../domain/passkeys/passkey-service.js';
import type { Passkey } from '../../../domain/passkeys/passkey.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { formCsrf, sessionCookie } from '../browser-cookies.js';
import { problemHtml, type FormProblem } from '../form-problem.js';
import { html, joinHtml, type SafeHtml } from '../layout.js';
import { browserPasskeyError } from '../passkey-errors.js';
import { PASSKEY_SCRIPTS } from '../passkey-script.js';
import { doneAt, formatTime, formProblem, renderAccount, seeOther, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS, CONFIRM_PATH } from './nav.js';

const PATH = ACCOUNT_PATHS.passkeys;
export const PASSKEY_OPTIONS_PATH = `${PATH}/options`;
const ACTIONS = ['register', 'rename', 'remove'] as const;
type Action = (typeof ACTIONS)[number];

export interface PasskeysPageDeps {
  config: Config;
  browserSessions: BrowserSessions;
  passkeys: PasskeyService;
}

export function passkeysPage(gate: AccountGate, deps: PasskeysPageDeps) {
  const { config, browserSessions, passkeys } = deps;
  const binding = (visit: Visit) => `browser:${visit.browser.session.id}` as const;

  async function render(ctx: AppContext, visit: Visit, problem?: { action: Action; id?: string; problem: FormProblem }): Promise<void> {
    const { t } = visit.view;
    const p = t.passkeys.page;
    const list = await passkeys.list(visit.browser.user.id);
    const csrf = html`<input type="hidden" name="csrf" value="${visit.csrf}">`;
    const problemOf = (action: Action, id?: string) => problemHtml(problem?.action === action && problem.id === id ? problem.problem : undefined);
    const item = (passkey: Passkey) => html`<li id="passkey-${passkey.id}">
<h2>${passkey.name}</h2>
<p class="hint">${passkey.deviceType === 'multiDevice' ? p.synced : p.deviceBound}</p>
<dl>
<dt>${p.added}</dt><dd>${formatTime(passkey.createdAt, visit.view)}</dd>
<dt>${p.lastUsed}</dt><dd>${passkey.lastUsedAt === null ? p.never : formatTime(passkey.lastUsedAt, visit.view)}</dd>
</dl>
${problemOf('rename', passkey.id)}
<form method="post" action="${PATH}">
${csrf}
<input type="hidden" name="action" value="rename">
<input type="hidden" name="id" value="${passkey.id}">
<label for="name-${passkey.id}">${p.renameLabel(passkey.name)}</label>
<input id="name-${passkey.id}" name="name" type="text" maxlength="60" value="${passkey.name}" autocomplete="off" required>
<button type="submit" class="secondary">${p.rename}</button>
</form>
${problemOf('remove', passkey.id)}
<form method="post" action="${PATH}">
${csrf}
<input type="hidden" name="action" value="remove">
<input type="hidden" name="id" value="${passkey.id}">
<button type="submit" class="danger secondary" aria-label="${p.removeLabel(passkey.name)}">${p.remove}</button>
</form>
</li>`;
    const items: SafeHtml = list.length > 0 ? html`<ul class="passkey-list" aria-label="${p.listLabel}">${joinHtml(list.map(item))}</ul>` : html`<p class="empty">${p.none}</p>`;
    renderAccount(ctx, visit, 'passkeys', {
      title: t.account.passkeys.title,
      status: problem?.problem.status,
      scripts: PASSKEY_SCRIPTS,
      body: html`<p>${p.intro}</p>
${items}
<h2>${p.addHeading}</h2>
<p>${p.addIntro}</p>
<form method="post" action="${PATH}" data-passkey="register" data-options="${PASSKEY_OPTIONS_PATH}" novalidate>
${csrf}
<input type="hidden" name="action" value="register">
<input type="hidden" name="ceremony" value="">
<input type="hidden" name="credential" value="">
<input type="hidden" name="error" value="">
${problemOf('register')}
<label for="passkey-name">${p.name}</label>
<input id="passkey-name" name="name" type="text" maxlength="60" autocomplete="off" aria-describedby="passkey-name-hint">
<p class="hint" id="passkey-name-hint">${p.nameHint}</p>
<button type="submit">${p.add}</button>
</form>`,
    });
  }

  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (visit) await render(ctx, visit);
  }

  async function submit(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    const action = ACTIONS.find((known) => known === ctx.state.form.action);
    if (!action) return seeOther(ctx, PATH);
    if (action !== 'rename' && !gate.recent(ctx, visit, PATH)) return;
    const { id = '', name = '', ceremony = '', credential = '', error } = ctx.state.form;
    const userId = visit.browser.user.id;
    const meta = { ...requestMeta(ctx), locale: visit.view.locale };
    try {
      switch (action) {
        case 'register':
          // The browser's own refusal (cancelled, already on this authenticator), or no script at all.
          if (error || !credential) throw error ? browserPasskeyError(error) : new OAuthError('invalid_request', 'passkeys need JavaScript', { reason: 'passkey_needs_javascript' });
          await passkeys.register(userId, binding(visit), ceremony, credential, name.trim() === '' ? undefined : name, meta);
          return doneAt(ctx, PATH, 'passkeyAdded');
        case 'rename':
          await passkeys.rename(userId, id, name, meta);
          return doneAt(ctx, PATH, 'passkeyRenamed');
        case 'remove':
          await passkeys.remove(userId, id, meta);
          return doneAt(ctx, PATH, 'passkeyRemoved');
      }
    } catch (thrown) {
      await render(ctx, visit, { action, ...(action === 'register' ? {} : { id }), problem: formProblem(ctx, thrown, visit.view.t) });
    }
  }

  /**
   * POST /account/passkeys/options (JSON, for the script): the registration options, bound to this
   * browser session. A sign-in older than 5 minutes gets the address of "Confirm it's you" instead.
   */
  async function options(ctx: AppContext): Promise<void> {
    const browser = await browserSessions.find(ctx.cookies.get(sessionCookie(config)));
    if (!browser) throw new OAuthError('access_denied', 'sign in first');
    if (!formCsrf(ctx, config)) throw new OAuthError('access_denied', 'the form was not sent from this browser');
    if (!browserSessions.recentlyAuthenticated(browser)) {
      ctx.body = { reauthenticate: `${CONFIRM_PATH}?return=${encodeURIComponent(PATH)}` };
      return;
    }
    ctx.body = await passkeys.registrationOptions(browser.user.id, `browser:${browser.session.id}`);
  }

  return { page, submit, options };
}

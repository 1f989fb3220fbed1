// /account/passkeys and /account/connections (docs/account.md): their pages exist before the work
// that fills them (passkeys; upstream providers, contract §3a), each an empty list with a sentence
// saying what will come here, so a link to them is never a 404.
import type { AppContext } from '../../context.js';
import { html } from '../layout.js';
import { renderAccount, type AccountGate } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

export function placeholderPages(gate: AccountGate) {
  async function passkeys(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, ACCOUNT_PATHS.passkeys);
    if (!visit) return;
    const p = visit.view.t.account.passkeys;
    renderAccount(ctx, visit, 'passkeys', { title: p.title, body: html`<ul class="passkey-list"></ul>\n<p class="empty">${p.empty}</p>` });
  }

  async function connections(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, ACCOUNT_PATHS.connections);
    if (!visit) return;
    const p = visit.view.t.account.connections;
    renderAccount(ctx, visit, 'connections', { title: p.title, body: html`<ul class="connection-list"></ul>\n<p class="empty">${p.empty}</p>` });
  }

  return { passkeys, connections };
}

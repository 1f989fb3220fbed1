// /account/apps (docs/account.md): the applications the person consented to, with what each may do
// in words (the consent page's words, t.signIn.scopes); "Remove access" withdraws the consent and
// ends every session (so every token) that app got for this person (ConsentService.revoke), and
// the app asks for consent again next time.
import type { ConsentService } from '../../../domain/consents/consent-service.js';
import { isOAuthError } from '../../../errors/oauth-error.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { html, joinHtml } from '../layout.js';
import { doneAt, formatDate, renderAccount, renderNotFound, type AccountGate } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

const PATH = ACCOUNT_PATHS.apps;

export function appsPage(gate: AccountGate, consents: ConsentService) {
  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (!visit) return;
    const { t } = visit.view;
    const p = t.account.apps;
    const granted = await consents.list(visit.browser.user.id);
    const items = granted.map((consent) => {
      const name = consent.clientName ?? p.unknownApp;
      const scopes = consent.scope.split(' ').filter(Boolean);
      return html`<li class="app">
<h2>${name}</h2>
<p class="hint">${p.allowedOn(formatDate(consent.grantedAt, visit.view))}</p>
<p>${p.mayDo}</p>
<ul>
${joinHtml(scopes.map((scope) => html`<li>${t.signIn.scopes(scope)}</li>`))}
</ul>
<form method="post" action="${PATH}">
<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="client_id" value="${consent.clientId}">
<button type="submit" class="danger" aria-label="${p.removeLabel(name)}">${p.remove}</button>
</form>
</li>`;
    });
    const list = items.length > 0 ? html`<ul class="app-list">\n${joinHtml(items)}\n</ul>` : html`<p class="empty">${p.none}</p>`;
    renderAccount(ctx, visit, 'apps', { title: p.title, body: html`<p>${p.intro}</p>\n${list}` });
  }

  async function remove(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    try {
      await consents.revoke({ id: visit.browser.user.id, meta: requestMeta(ctx) }, ctx.state.form.client_id ?? '');
    } catch (error) {
      if (isOAuthError(error) && error.code === 'not_found') return renderNotFound(ctx, visit, 'apps', PATH);
      throw error;
    }
    doneAt(ctx, PATH, 'appRemoved');
  }

  return { page, remove };
}

// /account/connections (docs/account.md, docs/upstreams.md): every upstream provider offered, with
// the person's link to it. "Link" sends the signed-in person through the provider and links what
// comes back to this account (a sensitive change: it adds a way in, so it needs a recent sign-in);
// "Unlink" removes one, but never the last way to sign in.
import type { UpstreamSignIn } from '../../../domain/upstreams/upstream-sign-in.js';
import { isOAuthError } from '../../../errors/oauth-error.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { errorMessage, problemHtml, type FormProblem } from '../form-problem.js';
import { html, joinHtml } from '../layout.js';
import { doneAt, formatDate, formProblem, renderAccount, renderNotFound, seeOther, type AccountGate, type Visit } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

const PATH = ACCOUNT_PATHS.connections;

export function connectionsPage(gate: AccountGate, upstreams: UpstreamSignIn) {
  async function render(ctx: AppContext, visit: Visit, problem?: FormProblem): Promise<void> {
    const { t } = visit.view;
    const p = t.account.connections;
    const connections = await upstreams.connections(visit.browser.user.id);
    const items = connections.map(({ upstream, identity }) => {
      const action = identity ? 'unlink' : 'link';
      const state = identity
        ? html`<p>${identity.email ? p.linked(identity.email) : p.linkedNoEmail}</p>
<p class="hint">${p.linkedOn(formatDate(identity.linkedAt, visit.view))}</p>`
        : html`<p class="hint">${p.notLinked}</p>`;
      const button = identity
        ? html`<button type="submit" class="danger" aria-label="${p.unlinkLabel(upstream.displayName)}">${p.unlink}</button>`
        : html`<button type="submit" class="secondary" aria-label="${p.linkLabel(upstream.displayName)}">${p.link}</button>`;
      return html`<li class="connection">
<h2>${upstream.displayName}</h2>
${state}
<form method="post" action="${PATH}">
<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="action" value="${action}">
<input type="hidden" name="upstream" value="${upstream.name}">
${button}
</form>
</li>`;
    });
    const list = items.length > 0 ? html`<ul class="connection-list">\n${joinHtml(items)}\n</ul>` : html`<p class="empty">${p.none}</p>`;
    renderAccount(ctx, visit, 'connections', { title: p.title, status: problem?.status ?? 200, body: html`${problemHtml(problem)}\n<p>${p.intro}</p>\n${list}` });
  }

  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (!visit) return;
    await render(ctx, visit);
  }

  async function submit(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    const name = ctx.state.form.upstream ?? '';
    const user = visit.browser.user;
    try {
      if (ctx.state.form.action === 'link') {
        if (!gate.recent(ctx, visit, PATH)) return;
        return seeOther(ctx, await upstreams.startLink(name, user, visit.csrf));
      }
      await upstreams.unlink(user, name, requestMeta(ctx));
      doneAt(ctx, PATH, 'connectionRemoved');
    } catch (error) {
      if (isOAuthError(error) && (error.code === 'not_found' || error.code === 'upstream_not_found')) return renderNotFound(ctx, visit, 'connections', PATH);
      if (isOAuthError(error) && error.code === 'upstream_unavailable') {
        // The provider is down: say so on the page (502), nothing changed.
        ctx.set('Retry-After', '30');
        return render(ctx, visit, { message: errorMessage(error, visit.view.t), status: error.status } as FormProblem);
      }
      await render(ctx, visit, formProblem(ctx, error, visit.view.t));
    }
  }

  return { page, submit };
}

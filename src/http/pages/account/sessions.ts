// /account/sessions (docs/account.md): every live session of the person, the device in words, the
// IP, when it signed in and was last used, and which one is this browser; "Sign out" ends one,
// "Sign out everywhere" ends them all, this browser's too. Sessions an application got through a
// code belong to the browser session they came from and end with it, so they are not listed on
// their own; their use counts as the use of that browser session.
import type { Config } from '../../../config/config.js';
import type { Session } from '../../../domain/sessions/session.js';
import type { SignOutService } from '../../../domain/sessions/sign-out.js';
import { isOAuthError } from '../../../errors/oauth-error.js';
import type { AppContext } from '../../context.js';
import { requestMeta } from '../../request-meta.js';
import { clearSessionCookie } from '../browser-cookies.js';
import { html, joinHtml, type SafeHtml } from '../layout.js';
import type { PageView } from '../view.js';
import { deviceFromUserAgent } from './device-words.js';
import { doneAt, formatTime, renderAccount, renderNotFound, seeOther, type AccountGate } from './gate.js';
import { ACCOUNT_PATHS, SIGNED_OUT_PATH } from './nav.js';

const PATH = ACCOUNT_PATHS.sessions;

export interface ListedSession {
  session: Session;
  /** The latest use of the session or of any session started from it. */
  lastUsedAt: number;
}

/** The sessions to list: those not started from another, each with the last use of its tree. */
export function listedSessions(sessions: readonly Session[]): ListedSession[] {
  const roots = sessions.filter((session) => session.parentId === null);
  return roots.map((session) => ({
    session,
    lastUsedAt: Math.max(session.lastUsedAt, ...sessions.filter((child) => child.parentId === session.id).map((child) => child.lastUsedAt)),
  }));
}

export function deviceWords(userAgent: string | null, view: PageView): string {
  const words = view.t.account.sessions;
  const { browser, system } = deviceFromUserAgent(userAgent);
  return words.device(browser ?? words.unknownBrowser, system ?? words.unknownSystem);
}

export function sessionsPage(gate: AccountGate, config: Config, signOut: SignOutService) {
  async function page(ctx: AppContext): Promise<void> {
    const visit = await gate.open(ctx, PATH);
    if (!visit) return;
    const { t } = visit.view;
    const p = t.account.sessions;
    const current = visit.browser.session.id;
    const listed = listedSessions(await signOut.listOwn(visit.browser.user.id));
    // This browser first, then newest first (listOwn's order).
    listed.sort((a, b) => Number(b.session.id === current) - Number(a.session.id === current));
    const items = listed.map(({ session, lastUsedAt }): SafeHtml => {
      const device = deviceWords(session.userAgent, visit.view);
      const here = session.id === current;
      return html`<li class="session${here ? ' session-current' : ''}">
<h2>${device}${here ? html` <span class="badge">${p.thisBrowser}</span>` : ''}</h2>
<dl>
<dt>${p.ip}</dt><dd>${session.ip ?? p.unknownIp}</dd>
<dt>${p.signedIn}</dt><dd>${formatTime(session.createdAt, visit.view)}</dd>
<dt>${p.lastUsed}</dt><dd>${here ? p.now : formatTime(lastUsedAt, visit.view)}</dd>
</dl>
<form method="post" action="${PATH}">
<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="session" value="${session.id}">
<button type="submit" class="secondary" aria-label="${p.signOutLabel(device)}">${p.signOut}</button>
</form>
</li>`;
    });
    renderAccount(ctx, visit, 'sessions', {
      title: p.title,
      body: html`<p>${p.intro}</p>
<ul class="session-list">
${joinHtml(items)}
</ul>
<h2>${p.everywhereHeading}</h2>
<p>${p.everywhereIntro}</p>
<form method="post" action="${PATH}">
<input type="hidden" name="csrf" value="${visit.csrf}">
<input type="hidden" name="everywhere" value="1">
<button type="submit" class="danger">${p.everywhere}</button>
</form>`,
    });
  }

  /** This browser's session is over: its cookie goes, and the person lands on the signed-out page. */
  function signedOut(ctx: AppContext): void {
    clearSessionCookie(ctx, config);
    seeOther(ctx, SIGNED_OUT_PATH);
  }

  async function end(ctx: AppContext): Promise<void> {
    const visit = await gate.submit(ctx, PATH);
    if (!visit) return;
    const actor = { id: visit.browser.user.id, meta: requestMeta(ctx) };
    if (ctx.state.form.everywhere === '1') {
      await signOut.logoutAll(actor);
      return signedOut(ctx);
    }
    const sessionId = ctx.state.form.session ?? '';
    try {
      await signOut.endOwn(actor, sessionId);
    } catch (error) {
      if (isOAuthError(error) && error.code === 'not_found') return renderNotFound(ctx, visit, 'sessions', PATH);
      throw error;
    }
    if (sessionId === visit.browser.session.id) return signedOut(ctx);
    doneAt(ctx, PATH, 'sessionEnded');
  }

  return { page, end };
}


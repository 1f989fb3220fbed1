// Backup codes shown once (docs/account.md): the POST that makes them answers 303, so they travel
// to the next GET in a cookie, sealed by the MfaService (AES-GCM under the key-encryption key, bound
// to this browser session, valid 5 minutes), HttpOnly, SameSite=Strict, scoped to the two-factor
// page, and cleared by the GET that shows them. They are never stored in clear on the server.
import type { Config } from '../../../config/config.js';
import type { MfaService } from '../../../domain/mfa/mfa-service.js';
import { BACKUP_CODES_NOTE_TTL_MS } from '../../../domain/mfa/mfa-service.js';
import type { AppContext } from '../../context.js';
import { https, setCookie } from '../browser-cookies.js';
import { html, joinHtml, type SafeHtml } from '../layout.js';
import type { Visit } from './gate.js';
import { ACCOUNT_PATHS } from './nav.js';

/** `__Secure-` rather than `__Host-`: the cookie is scoped to one path (RFC 6265bis §4.1.3). */
const cookieName = (config: Config) => (https(config) ? '__Secure-tessera_backup_codes' : 'tessera_backup_codes');

const setNote = (ctx: AppContext, config: Config, value: string, maxAgeSeconds: number): void =>
  setCookie(ctx, config, cookieName(config), value, maxAgeSeconds, { path: ACCOUNT_PATHS.twoFactor, sameSite: 'Strict' });

export function backupCodesNote(config: Config, mfa: MfaService) {
  /** After a POST that made codes: keep them for the page the 303 leads to. */
  function keep(ctx: AppContext, visit: Visit, codes: readonly string[]): void {
    setNote(ctx, config, mfa.sealBackupCodes(visit.browser.session.id, codes), BACKUP_CODES_NOTE_TTL_MS / 1000);
  }

  /** The codes waiting for this browser, if any; the cookie is cleared, so they show once. */
  function take(ctx: AppContext, visit: Visit): string[] | undefined {
    const sealed = ctx.cookies.get(cookieName(config));
    if (!sealed) return undefined;
    setNote(ctx, config, '', 0);
    return mfa.openBackupCodes(visit.browser.session.id, sealed);
  }

  return { keep, take };
}

/** The codes, and a download of them as a text file (a data: URL: no script, no server copy). */
export function backupCodesHtml(visit: Visit, codes: readonly string[]): SafeHtml {
  const { t, brandName } = visit.view;
  const p = t.account.twoFactor;
  const file = `${p.fileHeading(brandName)}\n\n${codes.join('\n')}\n`;
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`;
  return html`<section class="backup-codes" aria-labelledby="backup-codes-heading">
<h2 id="backup-codes-heading">${p.codesHeading}</h2>
<p>${p.codesIntro}</p>
<ul class="code-list">
${joinHtml(codes.map((code) => html`<li><code>${code}</code></li>`))}
</ul>
<p><a download="${p.fileName}" href="${href}">${p.download}</a></p>
</section>`;
}

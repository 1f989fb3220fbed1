// Writes audit events: who, what, when (UTC ms), from which IP and user agent. Never a secret:
// callers pass identifiers and outcomes only, and every string is stripped of control characters
// (no raw CR/LF reaches a log viewer; docs/decisions.md).
import type { Locale } from '../i18n/locale.js';
import { randomId } from '../crypto/random.js';
import type { DbOrTx } from '../storage/db.js';
import { insertAudit } from '../storage/repositories/audit.js';
import type { RateLimitState } from '../domain/accounts/rate-limiter.js';
import { auditRecordToRow } from './audit-record.js';

export type AuditEvent =
  | 'user.registered'
  | 'user.email_verified'
  | 'user.login'
  | 'user.login_failed'
  | 'user.logout'
  | 'user.logout_all'
  | 'user.locked'
  | 'user.unlocked'
  | 'user.password_changed'
  | 'user.password_reset_requested'
  | 'user.password_reset'
  | 'user.email_change_requested'
  | 'user.email_changed'
  | 'user.profile_updated'
  | 'user.reauthenticated'
  | 'user.deleted'
  | 'user.created'
  | 'user.role_changed'
  | 'user.disabled'
  | 'user.enabled'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.failed'
  | 'mfa.backup_code_used'
  | 'mfa.backup_codes_regenerated'
  | 'mfa.reset'
  | 'passkey.added'
  | 'passkey.renamed'
  | 'passkey.used'
  | 'passkey.removed'
  | 'passkey.clone_suspected'
  | 'user.consent_given'
  | 'user.consent_revoked'
  | 'device.approved'
  | 'device.denied'
  | 'session.ended'
  | 'refresh.reuse_detected'
  | 'token.exchanged'
  | 'backchannel_logout.delivered'
  | 'backchannel_logout.abandoned'
  | 'client.created'
  | 'client.deleted'
  | 'client.secret_rotated'
  | 'client.updated'
  | 'key.rotated'
  | 'key.rotation_scheduled'
  | 'key.created'
  | 'key.activated'
  | 'key.retired'
  | 'key.deleted'
  | 'key.revoked'
  | 'key.rekeyed'
  // Upstream identity providers (docs/upstreams.md): registry changes, and identities linked,
  // unlinked and used to sign in (with the upstream's name and `sub`).
  | 'upstream.created'
  | 'upstream.updated'
  | 'upstream.deleted'
  | 'upstream.linked'
  | 'upstream.unlinked'
  | 'upstream.authenticated';

/** Where a request came from; the CLI passes `{ ip: null, userAgent: 'tessera-cli' }`. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** Told the state of each rate limit the request was counted against (for the RateLimit headers). */
  onRateLimit?: (state: RateLimitState) => void;
  /** The language of the person asking (src/i18n/locale.ts): what mails sent for this request speak. */
  locale?: Locale;
}

export const CLI_META: RequestMeta = { ip: null, userAgent: 'tessera-cli' };

/** Who asks for an administrative change: an admin's user id, or `cli`; and from where. */
export interface Actor {
  id: string;
  meta: RequestMeta;
}

export const CLI_ACTOR: Actor = { id: 'cli', meta: CLI_META };

export interface AuditEntry {
  event: AuditEvent;
  /** The account the event is about. */
  userId?: string | null;
  /** Who did it, when not the user themself (an admin's id, `cli`, `system`). */
  actorId?: string | null;
  meta?: RequestMeta;
  detail?: Record<string, string | number | boolean | null>;
}

const clean = (value: string | null | undefined, max: number) =>
  value == null ? null : value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);

export async function audit(db: DbOrTx, entry: AuditEntry, now: number): Promise<void> {
  const detail: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(entry.detail ?? {})) detail[key] = typeof value === 'string' ? clean(value, 200) : value;
  await insertAudit(
    db,
    auditRecordToRow({
      id: randomId(),
      event: entry.event,
      userId: entry.userId ?? null,
      actorId: clean(entry.actorId, 64),
      ip: clean(entry.meta?.ip, 64),
      userAgent: clean(entry.meta?.userAgent, 512),
      detail,
      createdAt: now,
    }),
  );
}

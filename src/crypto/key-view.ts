// How the CLI and the admin API show a signing key (contract §2: `keys list`).
import type { SigningKeyRow } from '../storage/schema.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function keyView(row: SigningKeyRow) {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    created_at: iso(row.created_at),
    published_at: iso(row.published_at),
    activates_at: row.status === 'next' ? iso(row.activates_at) : null,
    activated_at: iso(row.activated_at),
    retired_at: iso(row.retired_at),
    revoked_at: iso(row.revoked_at),
    expires_at: iso(row.expires_at),
  };
}

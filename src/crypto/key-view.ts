// How the CLI and the admin API show a signing key (README, The admin CLI: `keys list`). The contract spells
// its members in snake_case; they are built here, from the domain type, and nowhere else
// (docs/architecture.md, Rows stay in storage).
import type { SigningKey } from './signing-key.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function keyView(key: SigningKey) {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    created_at: iso(key.createdAt),
    published_at: iso(key.publishedAt),
    activates_at: key.status === 'next' ? iso(key.activatesAt) : null,
    activated_at: iso(key.activatedAt),
    retired_at: iso(key.retiredAt),
    revoked_at: iso(key.revokedAt),
    expires_at: iso(key.expiresAt),
  };
}

// The database as Kysely sees it: one interface per table. Times are integer milliseconds since
// the epoch (BIGINT on PostgreSQL), flags are 0/1 integers, lists are JSON text: the same rows on
// every dialect. Migrations in migrations/ are the source of truth; keep this file in step.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type KeyAlg = 'ES256' | 'RS256';
export type KeyStatus = 'next' | 'active' | 'retired' | 'revoked';

export interface SigningKeyTable {
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  /** Public JWK, JSON. */
  public_jwk: string;
  /** Private JWK, JSON, sealed with AES-256-GCM under the key-encryption key. */
  private_jwk_sealed: string;
  created_at: number;
  /** When every instance is serving it in its JWKS: created_at plus the propagation delay. */
  published_at: number;
  /** When a `next` key is due to take over. */
  activates_at: number | null;
  /** Set by `keys rotate`: the operator asked for the next key as soon as the lead allows. */
  rotation_requested_at: number | null;
  activated_at: number | null;
  retired_at: number | null;
  revoked_at: number | null;
  /** When the last token it signed has expired and the key may be deleted. */
  expires_at: number | null;
}

export interface ClientTable {
  client_id: string;
  /** SHA-256 of the secret, base64url; null for public clients. */
  client_secret_hash: string | null;
  client_name: string;
  /** Space-separated. */
  grant_types: string;
  /** JSON array. */
  redirect_uris: string;
  /** JSON array. */
  post_logout_redirect_uris: string;
  /** Space-separated. */
  scope: string;
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  access_token_alg: KeyAlg;
  /** OIDC Registration §2; RS256 unless registered otherwise. */
  id_token_signed_response_alg: KeyAlg;
  audience: string | null;
  first_party: number;
  created_at: number;
  updated_at: number;
  /** private_key_jwt (RFC 7523 §2.2): the registered public JWK Set, JSON; or null. */
  jwks: Generated<string | null>;
  /** private_key_jwt: where the client publishes its JWK Set; or null. */
  jwks_uri: Generated<string | null>;
  /** RFC 9449 §5.2: no access token without a DPoP proof. */
  dpop_bound_access_tokens: Generated<number>;
  /** RFC 9126 §6: /authorize only with a pushed request. */
  require_pushed_authorization_requests: Generated<number>;
  /** RFC 8693: the audiences it may ask for with token exchange, JSON array. */
  exchange_audiences: Generated<string>;
  /** OIDC Back-Channel Logout 1.0 §2.2: where it hears that a session ended; or null. */
  backchannel_logout_uri: Generated<string | null>;
}

/**
 * The `jti`s of client assertions and DPoP proofs already accepted, kept until the JWT carrying
 * each expires: the primary key refuses a second use on every instance (domain/tokens/replay-guard.ts).
 */
export interface UsedJtiTable {
  /** Whose `jti`s: `client_assertion:<client_id>`, `dpop:<jkt>`. */
  namespace: string;
  /** SHA-256 of the `jti`, base64url: fixed length whatever the client sent. */
  jti_hash: string;
  expires_at: number;
}

/** Pushed authorization requests (RFC 9126): single use, bound to their client, 60 s. */
export interface PushedRequestTable {
  /** SHA-256 of the random part of the `request_uri`. */
  request_uri_hash: string;
  client_id: string;
  /** The validated authorization request, JSON. */
  params: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/**
 * Device authorization requests (RFC 8628): a device code and its user code, both stored hashed,
 * waiting for a person's decision on the verification page, then redeemed once by the device.
 */
export interface DeviceCodeTable {
  /** SHA-256 of the device code (RFC 8628 §3.2 `device_code`). */
  device_code_hash: string;
  /** Names the request on the verification pages (hex, 128 bits); not a secret by itself. */
  id: string;
  /** SHA-256 of the normalised user code (8 letters of RFC 8628 §6.1's alphabet, no dash). */
  user_code_hash: string;
  client_id: string;
  /** The granted scopes, space-separated. */
  scope: string;
  status: 'pending' | 'approved' | 'denied';
  /** SHA-256 of the CSRF secret of the browser that entered the user code; null before. */
  csrf_hash: string | null;
  /** Who approved, and under which browser session; null until approved. */
  user_id: string | null;
  browser_session_id: string | null;
  /** The polling interval in seconds, raised by 5 at each slow_down (RFC 8628 §3.5). */
  interval_seconds: number;
  last_polled_at: number | null;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  used_at: number | null;
  /** The session the redemption started: a replayed device code ends it. */
  issued_session_id: string | null;
}

export interface RevokedTokenTable {
  jti: string;
  /** The token's own expiry: the entry is useless after it and is purged. */
  expires_at: number;
  revoked_at: number;
}

/** Counters that instances poll to learn that a cached table changed elsewhere; rows double as locks. */
export interface SyncStateTable {
  name: string;
  version: number;
}

export type Role = 'user' | 'admin' | 'enterprise_admin';

export interface UserTable {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  email_verified: number;
  /** A new address waiting for verification; the old one stays in force until then. */
  pending_email: string | null;
  name: string;
  /** argon2id, PHC string. */
  password_hash: string;
  role: Role;
  disabled: number;
  /** Bumped by logout-all, password change and reset, and disabling: older tokens die. */
  token_generation: number;
  created_at: number;
  updated_at: number;
  mfa_enabled: Generated<number>;
  /** The TOTP secret, sealed with AES-256-GCM under the KEK (docs/decisions.md, People). */
  totp_secret_sealed: string | null;
  /** A secret between setup/initiate and setup/verify. */
  totp_pending_sealed: string | null;
  /** The last accepted TOTP time step: only later steps count (a code is accepted at most once). */
  totp_last_step: number | null;
}

export interface BackupCodeTable {
  id: string;
  user_id: string;
  /** SHA-256 of the normalised code (112+ bits of entropy, so a fast hash is right: ASVS 6.5.2). */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface MfaChallengeTable {
  /** SHA-256 of the mfa_token. */
  token_hash: string;
  user_id: string;
  client_id: string;
  /** The login asked for browser (cookie) mode. */
  cookie: number;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface PasswordHistoryTable {
  id: string;
  user_id: string;
  password_hash: string;
  created_at: number;
}

export interface SessionTable {
  /** The `sid` of its tokens. */
  id: string;
  user_id: string;
  client_id: string;
  /** The user's token generation when the session began. */
  token_generation: number;
  /** Space-separated authentication methods (`pwd`, `otp`). */
  amr: string;
  auth_time: number;
  created_at: number;
  last_used_at: number;
  /** Absolute limit (SESSION_MAX_TTL). */
  expires_at: number;
  ended_at: number | null;
  end_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** For a session started by a code redemption: the browser (single-sign-on) session it came from. */
  parent_id: string | null;
  /** For a browser session: SHA-256 of the secret in its cookie. */
  browser_secret_hash: string | null;
  /** The `sid` of the ID tokens issued in this session; null when none was (Back-Channel Logout §2.1). */
  id_token_sid: Generated<string | null>;
}

/**
 * Logout tokens still to deliver (OIDC Back-Channel Logout 1.0 §2.5): one per ended session of a
 * client with a `backchannel_logout_uri`, written in the transaction that ends the session, claimed
 * by a worker with a lease, deleted once delivered or given up.
 */
export interface BackchannelLogoutTable {
  /** The ended session; a session ends once, so it is told once. */
  session_id: string;
  client_id: string;
  /** The logout token's `sub`. */
  user_id: string;
  /** The logout token's `sid`: the ID tokens' `sid`. */
  sid: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  /** A worker's claim, so that two instances do not deliver it twice. */
  locked_until: number | null;
  last_error: string | null;
}

export interface InteractionTable {
  id: string;
  /** SHA-256 of the CSRF secret held in the browser's cookie and echoed by every form. */
  csrf_hash: string;
  client_id: string;
  /** The validated authorization request, JSON. */
  params: string;
  /** Set once the password step has passed (for the TOTP and consent steps). */
  user_id: string | null;
  step: 'login' | 'totp' | 'consent';
  attempts: number;
  created_at: number;
  expires_at: number;
  /** Space-separated methods passed so far (`fed` after an upstream provider); null: the password. */
  amr: Generated<string | null>;
}

export interface AuthorizationCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  browser_session_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** The session its redemption started: a replayed code ends it (RFC 6749 §4.1.2). */
  issued_session_id: string | null;
}

export interface ClientConsentTable {
  user_id: string;
  client_id: string;
  /** The scopes granted so far, space-separated. */
  scope: string;
  granted_at: number;
}

export interface RefreshTokenTable {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  token_hash: string;
  /** A public handle (introspection's `jti`). */
  id: string;
  session_id: string;
  client_id: string;
  scope: string;
  created_at: number;
  /** Idle limit (REFRESH_TOKEN_TTL), never past the session's own expiry. */
  expires_at: number;
  /** Set when rotated: presenting it again is reuse. */
  used_at: number | null;
  /** RFC 9449 §5: a public client's token, bound to this DPoP key thumbprint (RFC 7638); null when unbound. */
  dpop_jkt: string | null;
}

export type MailTokenPurpose = 'verify_email' | 'reset_password';

export interface MailTokenTable {
  token_hash: string;
  user_id: string;
  purpose: MailTokenPurpose;
  /** The address the token proves (the pending one, for an email change). */
  email: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OutboxTable {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  /** A worker's claim on the message, so that two instances do not send it twice. */
  locked_until: number | null;
  sent_at: number | null;
  last_error: string | null;
}

export interface LockoutTable {
  /** SHA-256 of the lower-cased email address. */
  subject: string;
  /** Consecutive failed sign-in steps (passwords and 2FA codes); reset only by a completed sign-in. */
  failed_attempts: number;
  locked_until: number | null;
  updated_at: number;
}

export interface RateLimitTable {
  key: string;
  window_start: number;
  count: number;
}

export interface ConsentTable {
  user_id: string;
  name: string;
  granted: number;
  version: string;
  ip: string | null;
  recorded_at: number;
}

/** One row per verification or reset mail sent to an account: the hourly quota counts them. */
export interface AccountMailTable {
  id: string;
  user_id: string;
  kind: string;
  sent_at: number;
}

/** The issuer the server serves, recorded at start-up for the CLI; one row, id 1. */
export interface ServedIssuerTable {
  id: number;
  issuer: string;
  recorded_at: number;
}

export interface AuditLogTable {
  id: string;
  event: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object; never a secret. */
  detail: string;
  created_at: number;
}

/** WebAuthn §14.6.1: the random user handle of an account's passkeys (never the user id). */
export interface WebauthnUserHandleTable {
  user_id: string;
  /** 32 random bytes, base64url. */
  handle: string;
  created_at: number;
}

/** A passkey (a WebAuthn public key credential) of a person (docs/passkeys.md). */
export interface PasskeyTable {
  id: string;
  user_id: string;
  /** The credential id, base64url. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The last signature counter the authenticator reported (WebAuthn §6.1.1). */
  sign_count: number;
  /** Space-separated authenticator transports (`internal`, `usb`, `hybrid`, …). */
  transports: string;
  name: string;
  /** `singleDevice` or `multiDevice` (backup eligible: a synced passkey). */
  device_type: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

/** A WebAuthn ceremony in progress: its challenge, single use, bound to what started it. */
export interface PasskeyCeremonyTable {
  /** The ceremony id the JSON API hands out. */
  id: string;
  purpose: 'register' | 'sign_in' | 'second_factor';
  /** SHA-256 of the challenge. */
  challenge_hash: string;
  /** What started it: `interaction:ID`, `browser:SESSION`, `api:CLIENT`, `token:SID`. */
  binding: string;
  /** Whose ceremony, for a registration or a second factor; null for a discoverable sign-in. */
  user_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** An upstream identity provider an admin registered (docs/upstreams.md). */
export interface UpstreamTable {
  /** The name in its paths (`/upstream/NAME/callback`); lower case letters, digits and dashes. */
  name: string;
  display_name: string;
  issuer: string;
  client_id: string;
  /** Sealed under the key-encryption key, as TOTP secrets are. */
  client_secret_sealed: string;
  /** Space-separated. */
  scope: string;
  preset: 'google' | 'microsoft' | 'github' | null;
  created_at: number;
  updated_at: number;
}

/** A person of an upstream provider (upstream + its `sub`) linked to a local account. */
export interface UpstreamIdentityTable {
  upstream: string;
  subject: string;
  user_id: string;
  /** The upstream's email address when it was linked, to show on /account/connections. */
  email: string | null;
  created_at: number;
}

/** A request sent to an upstream provider, waiting for its callback; then, maybe, the link step. */
export interface UpstreamRequestTable {
  id: string;
  /** SHA-256 of the `state` sent to the upstream. */
  state_hash: string;
  upstream: string;
  /** `sign_in` for the hosted sign-in; `link` from /account/connections. */
  purpose: 'sign_in' | 'link' | 'reauthenticate';
  /** `sent`: waiting for the callback; `confirm`: the existing account's password is asked for. */
  step: 'sent' | 'confirm';
  interaction_id: string | null;
  /** `link`: the signed-in person; `confirm`: the local account with the upstream's email. */
  user_id: string | null;
  /** SHA-256 of the browser's CSRF secret: the callback must come to the same browser. */
  browser_hash: string;
  code_verifier: string;
  nonce: string;
  /** After the callback (`confirm`): what the upstream said. */
  subject: string | null;
  email: string | null;
  name: string | null;
  /** Wrong passwords or codes at the `confirm` step. */
  attempts: Generated<number>;
  created_at: number;
  expires_at: number;
}

export interface Database {
  signing_keys: SigningKeyTable;
  clients: ClientTable;
  revoked_tokens: RevokedTokenTable;
  sync_state: SyncStateTable;
  users: UserTable;
  password_history: PasswordHistoryTable;
  sessions: SessionTable;
  refresh_tokens: RefreshTokenTable;
  mail_tokens: MailTokenTable;
  outbox: OutboxTable;
  lockouts: LockoutTable;
  rate_limits: RateLimitTable;
  consents: ConsentTable;
  audit_log: AuditLogTable;
  backup_codes: BackupCodeTable;
  mfa_challenges: MfaChallengeTable;
  interactions: InteractionTable;
  authorization_codes: AuthorizationCodeTable;
  client_consents: ClientConsentTable;
  served_issuer: ServedIssuerTable;
  account_mails: AccountMailTable;
  used_jtis: UsedJtiTable;
  pushed_requests: PushedRequestTable;
  backchannel_logouts: BackchannelLogoutTable;
  upstreams: UpstreamTable;
  upstream_identities: UpstreamIdentityTable;
  upstream_requests: UpstreamRequestTable;
  webauthn_user_handles: WebauthnUserHandleTable;
  passkeys: PasskeyTable;
  passkey_ceremonies: PasskeyCeremonyTable;
  device_codes: DeviceCodeTable;
}

export type UserRow = Selectable<UserTable>;
export type SessionRow = Selectable<SessionTable>;
export type RefreshTokenRow = Selectable<RefreshTokenTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type BackchannelLogoutRow = Selectable<BackchannelLogoutTable>;
export type AuditRow = Selectable<AuditLogTable>;

export type SigningKeyRow = Selectable<SigningKeyTable>;
export type NewSigningKeyRow = Insertable<SigningKeyTable>;
export type SigningKeyUpdate = Updateable<SigningKeyTable>;
export type ClientRow = Selectable<ClientTable>;
export type NewClientRow = Insertable<ClientTable>;
export type ClientUpdate = Updateable<ClientTable>;

// Re-exported so repositories need one import for column helpers.
export type { Generated };

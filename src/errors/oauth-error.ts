// The one error type of Tessera, after the shape of oidc-provider's lib/helpers/errors.js: a closed
// set of codes, a public description, and an internal detail that is logged but never sent.
// Thrown from anywhere (domain, storage, HTTP). The code says what went wrong; the domain never
// chooses an HTTP status. Each API turns a code into a status: DEFAULT_STATUS below, unless that
// API maps the code otherwise (the /auth API, for one, answers invalid_grant with 401 where the
// token endpoint answers 400 — see http/middleware/errors.ts), or the HTTP layer decides it
// itself (405, 413, 415, a Bearer check's 401). JSON APIs render errors as
// `{ error, error_description }` (README, Errors) in the error middleware only; the hosted pages
// decide by code what to show, never by the description's words.

export type ErrorCode =
  // RFC 6749 §5.2 and §4.1.2.1
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  // RFC 6750 §3.1
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 7009 §2.2.1
  | 'unsupported_token_type'
  // RFC 9449 §5 and §7.1: a DPoP proof that is missing where required, malformed or wrong
  | 'invalid_dpop_proof'
  // RFC 8693 §2.2.2: token exchange for an audience the client may not ask for
  | 'invalid_target'
  // RFC 8628 §3.5: a device code polled before the person decided, too often, or too late
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  // Tessera's own (docs/accounts.md)
  | 'not_found'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'account_locked'
  | 'rate_limited'
  | 'invalid_code'
  | 'mfa_already_enabled'
  | 'invalid_origin'
  | 'insufficient_role'
  | 'conflict'
  /** A passkey's answer (WebAuthn assertion or attestation) that is not accepted (docs/passkeys.md). */
  | 'invalid_passkey'
  // The hosted sign-in pages' pending request (interaction); shown on a page, never sent as JSON.
  /** Unknown, expired, or ended (after too many wrong codes): the user must start again. */
  | 'interaction_expired'
  /** The form did not come from the browser that started the sign-in (its CSRF secret differs). */
  | 'interaction_forbidden'
  /** The sign-in is not at the step the form is for. */
  | 'interaction_state'
  /** The application the sign-in is for has been deleted since. */
  | 'interaction_client_gone'
  // Signing in through an upstream identity provider (docs/upstreams.md); shown on a page.
  /** No upstream of that name (never registered, or deleted). */
  | 'upstream_not_found'
  /** The upstream did not answer in time, or answered what is not OpenID Connect / OAuth. */
  | 'upstream_unavailable'
  /** The upstream sent the person back with an error (they cancelled, or it refused). */
  | 'upstream_error'
  /** The upstream's answer failed a check: its ID token (signature, iss, aud, nonce, exp, azp), the code. */
  | 'upstream_invalid_response'
  /** A callback without a pending request for this browser: a wrong, replayed or expired state. */
  | 'upstream_state'
  /** The upstream gave no email address, or one it has not verified: no account is made from it. */
  | 'upstream_email_unverified';

/**
 * Why a request was refused, finer than its code, for the pages to say in the reader's language
 * (src/i18n): the JSON APIs send only the code and the English description.
 */
export type ErrorReason =
  | 'email_invalid'
  | 'email_taken'
  | 'name_empty'
  | 'name_too_long'
  | 'name_control_characters'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_common'
  | 'password_is_email'
  | 'password_reused'
  | 'current_password_required'
  | 'account_disabled'
  | 'mfa_setup_not_started'
  | 'mfa_off'
  /** Unlinking would leave the account without any way to sign in (docs/upstreams.md). */
  | 'last_sign_in_method'
  /** That person of the upstream is linked to another local account already. */
  | 'identity_linked_elsewhere'
  /** The account is linked to another person of the same upstream already. */
  | 'upstream_already_linked'
  | 'passkey_already_registered'
  | 'passkey_ceremony_expired'
  | 'passkey_unverified'
  | 'passkey_clone_suspected'
  | 'passkey_name_invalid'
  /** The browser's ceremony was cancelled, timed out or found no passkey (WebAuthn NotAllowedError). */
  | 'passkey_cancelled'
  | 'passkey_needs_javascript'
  /** RFC 8628 §3.3: a user code that is unknown, expired or already used. */
  | 'user_code_invalid';

export type StatusTable = Partial<Record<ErrorCode, number>>;

/** The status of each code unless an API maps it otherwise. */
export const DEFAULT_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  unsupported_response_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_token: 401,
  insufficient_scope: 403,
  unsupported_token_type: 400,
  invalid_dpop_proof: 400,
  invalid_target: 400,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  not_found: 404,
  invalid_credentials: 401,
  email_not_verified: 403,
  account_locked: 423,
  rate_limited: 429,
  invalid_code: 401,
  mfa_already_enabled: 409,
  invalid_origin: 403,
  insufficient_role: 403,
  conflict: 409,
  invalid_passkey: 401,
  interaction_expired: 400,
  interaction_forbidden: 403,
  interaction_state: 400,
  interaction_client_gone: 400,
  upstream_not_found: 404,
  upstream_unavailable: 502,
  upstream_error: 400,
  upstream_invalid_response: 400,
  upstream_state: 400,
  upstream_email_unverified: 403,
};

export interface OAuthErrorOptions {
  /** Only where the HTTP layer decides the status itself (405, 413, 415, a Bearer check); never in the domain. */
  status?: number;
  /** Logged with the request, never sent to the client. */
  detail?: string;
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  headers?: Record<string, string>;
  /** Why, finer than the code (for the pages' words). */
  reason?: ErrorReason;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: ErrorCode;
  /** The HTTP status: the one set by the HTTP layer, or one chosen by the API (`withStatus`), or the code's default. */
  readonly status: number;
  /** Whether `status` was chosen (by the HTTP layer or an API's table) rather than defaulted from the code. */
  readonly statusChosen: boolean;
  readonly description: string;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly reason: ErrorReason | undefined;
  /** Koa's convention: whether the message may reach the client. */
  readonly expose: boolean;

  constructor(code: ErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.statusChosen = options.status !== undefined;
    this.description = description;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.reason = options.reason;
    this.expose = this.status < 500;
  }

  /** The same error answered with another status (an API's own mapping of the code). */
  withStatus(status: number): OAuthError {
    const copy = new OAuthError(this.code, this.description, { status, headers: this.headers, ...(this.detail === undefined ? {} : { detail: this.detail }), ...(this.reason === undefined ? {} : { reason: this.reason }), cause: this.cause });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }
}

/**
 * The status an API answers `error` with: a status already chosen stays, otherwise the API's
 * table, otherwise the code's default.
 */
export function mapStatus(error: OAuthError, table: StatusTable): OAuthError {
  const status = table[error.code];
  return error.statusChosen || status === undefined || status === error.status ? error : error.withStatus(status);
}

export const isOAuthError = (value: unknown): value is OAuthError => value instanceof OAuthError;

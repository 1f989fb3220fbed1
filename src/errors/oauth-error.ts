// The one error type of Tessera. Thrown from anywhere (domain, storage, HTTP), rendered only by the
// error middleware as `{ error, error_description }` (contract §6), after the shape of
// oidc-provider's lib/helpers/errors.js: a closed set of codes, a public description, and an
// internal detail that is logged but never sent.

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
  // Tessera's own (contract §4–6)
  | 'not_found'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'account_locked'
  | 'rate_limited'
  | 'invalid_code'
  | 'mfa_already_enabled'
  | 'invalid_origin'
  | 'insufficient_role'
  | 'conflict';

const DEFAULT_STATUS: Record<ErrorCode, number> = {
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
};

export interface OAuthErrorOptions {
  status?: number;
  /** Logged with the request, never sent to the client. */
  detail?: string;
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  /** Koa's convention: whether the message may reach the client. */
  readonly expose: boolean;

  constructor(code: ErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.description = description;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.expose = this.status < 500;
  }
}

export const isOAuthError = (value: unknown): value is OAuthError => value instanceof OAuthError;

// The only place that writes error bodies: `{ error, error_description }` (README, Errors). Errors
// thrown by Koa's own helpers and body parsing are mapped onto the same codes; anything unexpected
// becomes server_error without its message, and a database that cannot be reached becomes 503.
// The status of a code is its default (errors/oauth-error.ts) unless the API it reached maps it
// otherwise: the tables below, applied by `errorStatuses`.
import { isOAuthError, mapStatus, OAuthError, type StatusTable } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';

/**
 * The /auth API (docs/accounts.md): a refresh token that cannot be used is 401, as is every other
 * credential of the API; the token endpoint answers the same code with 400 (RFC 6749 §5.2).
 */
export const AUTH_API_STATUSES: StatusTable = { invalid_grant: 401 };

/**
 * The routes that spend a mailed link's token (verify-email, reset-password): a bad link is a bad
 * request, 400, not a missing credential (a bad Bearer token is 401, set by the Bearer check).
 */
export const MAIL_LINK_STATUSES: StatusTable = { invalid_token: 400 };

/** Answers the errors of the routes behind it with the API's own statuses. */
export function errorStatuses(table: StatusTable) {
  return async function mapErrorStatuses(_ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      throw isOAuthError(error) ? mapStatus(error, table) : error;
    }
  };
}

/** Writes the error body of a request that threw; called by the envelope (middleware/envelope.ts). */
export function renderError(ctx: AppContext, thrown: unknown): void {
  const error = toOAuthError(thrown);
  // A failure of ours (or of the database) is an error with its stack; a refusal under load is
  // expected and counted by the metrics: logging each one would feed the overload it answers.
  if (error.code === 'server_error' || (error.status >= 500 && error.cause !== undefined)) ctx.state.log.error({ err: thrown, code: error.code }, 'request failed');
  else if (error.status >= 500) ctx.state.log.debug({ code: error.code }, 'request refused: busy');
  else if (error.detail) ctx.state.log.info({ code: error.code, detail: error.detail }, 'request refused');
  ctx.status = error.status;
  for (const name in error.headers) ctx.set(name, error.headers[name]!);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: error.code, error_description: error.description };
}

export function toOAuthError(thrown: unknown): OAuthError {
  if (isOAuthError(thrown)) return thrown;
  const error = thrown as { status?: unknown; type?: unknown; code?: unknown; message?: unknown };
  if (error?.status === 413 || error?.type === 'entity.too.large') {
    return new OAuthError('invalid_request', 'the request body is too large', { status: 413 });
  }
  if (error?.status === 415) return new OAuthError('invalid_request', 'unsupported content type', { status: 415 });
  // co-body throws JSON.parse's (or bourne's __proto__) SyntaxError with status 400 and no type.
  if (error?.type === 'entity.parse.failed' || error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported' || (thrown instanceof SyntaxError && error?.status === 400)) {
    return new OAuthError('invalid_request', 'the request body could not be parsed', { status: 400 });
  }
  if (error?.type === 'request.aborted') return new OAuthError('invalid_request', 'the request was aborted', { status: 400 });
  // raw-body: a body shorter or longer than its Content-Length.
  if (error?.type === 'request.size.invalid') return new OAuthError('invalid_request', 'the body does not match its Content-Length', { status: 400 });
  if (isUnavailable(error)) {
    return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable, try again', {
      headers: { 'Retry-After': '1' },
      cause: thrown,
    });
  }
  return new OAuthError('server_error', 'an unexpected error occurred', { cause: thrown });
}

/** A database that is busy, locked, unreachable or shutting down: never fail open, answer 503. */
function isUnavailable(error: { code?: unknown; message?: unknown }): boolean {
  const code = typeof error?.code === 'string' ? error.code : '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_IOERR') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300', '08006', '08001'].includes(code)) return true;
  const message = typeof error?.message === 'string' ? error.message : '';
  return /driver has already been destroyed|Connection terminated|timeout exceeded when trying to connect|database connection is not open/i.test(message);
}

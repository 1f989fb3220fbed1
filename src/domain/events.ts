// What the domain tells whoever watches the process (the server's metrics; nobody, in the CLI).
// An observer rather than an import of metrics/: the domain knows nothing of Prometheus
// (docs/architecture.md, The layers). Each method is called after the transaction of what it
// reports has committed, except mailQueued (see its note), and must not throw.

/**
 * How a sign-in attempt ended, on the JSON API and the hosted pages alike. Counted per sign-in
 * step: a password step that passes on to the 2FA step counts nothing, and the code step then
 * counts `success` or `mfa_failed`. An unknown address counts as `wrong_password`, since it gets
 * the same answer (docs/accounts.md). `locked` and `rate_limited` are steps refused before any
 * check. Other refusals (a disabled account, an unverified address, a server too busy for argon2)
 * are not counted here; the HTTP metrics show their statuses.
 */
export type SignInOutcome = 'success' | 'wrong_password' | 'locked' | 'rate_limited' | 'mfa_failed';

export const SIGN_IN_OUTCOMES: readonly SignInOutcome[] = ['success', 'wrong_password', 'locked', 'rate_limited', 'mfa_failed'];

export interface DomainEvents {
  signIn(outcome: SignInOutcome): void;
  /**
   * A mail was written into the outbox. Called inside the transaction that writes it, since
   * enqueueing has no after-commit hook: a transaction that rolls back after queueing a mail
   * still counts it.
   */
  mailQueued(): void;
  /** A spent refresh token was presented again and its family revoked (RFC 9700 §4.14.2). */
  refreshReuse(): void;
}

export const noDomainEvents: DomainEvents = {
  signIn() {},
  mailQueued() {},
  refreshReuse() {},
};

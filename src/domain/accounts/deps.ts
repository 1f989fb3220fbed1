// What the account services share, wired once in services.ts.
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import type { MailMessage } from '../../mail/message.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import type { DomainEvents } from '../events.js';
import type { Sessions } from '../sessions/sessions.js';
import type { Lockout } from './lockout.js';
import type { MailQuota } from './mail-quota.js';
import type { PasswordHasher } from './password-hasher.js';
import type { RateLimiter } from './rate-limiter.js';

export interface MailQueue {
  /** Writes the message into the outbox inside the caller's transaction (docs/decisions.md, Storage and background work). */
  enqueue(tx: DbOrTx, message: MailMessage): Promise<void>;
  /** Asks the outbox worker to deliver now rather than at its next poll; call after commit. */
  wake(): void;
}

export interface AccountDeps {
  db: Db;
  config: Config;
  clock: Clock;
  hasher: PasswordHasher;
  lockout: Lockout;
  rateLimiter: RateLimiter;
  sessions: Sessions;
  clients: ClientRegistry;
  mail: MailQueue;
  mailQuota: MailQuota;
  /** Sign-in outcomes, for the metrics (events.ts). */
  events: DomainEvents;
}

/** Links in mails always use the configured issuer, never the request's Host (docs/decisions.md). */
export const pageLink = (config: Config, path: string, token: string) => `${config.issuer}${path}?token=${encodeURIComponent(token)}`;

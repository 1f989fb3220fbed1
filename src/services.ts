// The domain services of one process, built once from the configuration and the open database,
// and handed to the HTTP layer and the CLI. Explicit wiring: no service locator.
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import { openKeys, type Keys } from './crypto/key-bootstrap.js';
import type { KeyEvent } from './crypto/key-lifecycle.js';
import { ClientRegistry } from './domain/clients/client-registry.js';
import { ClientService } from './domain/clients/client-service.js';
import { AccessTokens } from './domain/tokens/access-tokens.js';
import { Introspection } from './domain/tokens/introspection.js';
import { Revocation } from './domain/tokens/revocation.js';
import type { Db, Dialect } from './storage/db.js';

export interface Services {
  config: Config;
  clock: Clock;
  db: Db;
  dialect: Dialect;
  log: Logger;
  keys: Keys;
  clientRegistry: ClientRegistry;
  clients: ClientService;
  accessTokens: AccessTokens;
  introspection: Introspection;
  revocation: Revocation;
}

export async function createServices(config: Config, db: Db, dialect: Dialect, clock: Clock, log: Logger): Promise<Services> {
  const onKeyEvent = (event: KeyEvent) => log.info(event, 'signing key lifecycle');
  const keys = await openKeys(db, config, clock, onKeyEvent);
  const clientRegistry = new ClientRegistry(db, log);
  const accessTokens = new AccessTokens(config.issuer, config.accessTokenTtl, keys.keystore, clock);
  return {
    config,
    clock,
    db,
    dialect,
    log,
    keys,
    clientRegistry,
    clients: new ClientService(db, clock),
    accessTokens,
    introspection: new Introspection(db, accessTokens, clientRegistry),
    revocation: new Revocation(db, accessTokens, clock),
  };
}

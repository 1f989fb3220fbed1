// What Tessera's middleware adds to a Koa context, declared once.
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Client } from '../domain/clients/client.js';

export interface AppState {
  requestId: string;
  /** A child logger carrying the request id. */
  log: Logger;
  /** The parsed form body of an OAuth endpoint (see middleware/form-body.ts). */
  form: Readonly<Record<string, string>>;
  /** The client that authenticated at this request (see oauth/client-auth.ts). */
  client?: Client;
}

export type AppContext = ParameterizedContext<AppState>;
export type Next = () => Promise<unknown>;

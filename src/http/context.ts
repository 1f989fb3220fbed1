// What Tessera's middleware adds to a Koa context, declared once.
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Client } from '../domain/clients/client.js';
import type { Role } from '../domain/accounts/user.js';

export interface AppState {
  requestId: string;
  /** The route table's pattern of the matched route (http/routes.ts), the metrics' `route` label. */
  route?: string;
  /** A child logger carrying the request id. */
  log: Logger;
  /** The parsed form body of an OAuth endpoint (see middleware/form-body.ts). */
  form: Readonly<Record<string, string>>;
  /** The client that authenticated at this request (see oauth/client-auth.ts). */
  client?: Client;
  /** The parsed JSON body of an API route (see middleware/json-body.ts). */
  body: Readonly<Record<string, unknown>>;
  /** The signed-in user of a Bearer-protected route (see auth-api/bearer.ts). */
  user?: AuthenticatedUser;
}

export interface AuthenticatedUser {
  id: string;
  /** The session (`sid`) the presented token belongs to. */
  sid: string;
  /** Read from the database with the session, so a role change applies at once. */
  role: Role;
  client: Client;
}

export type AppContext = ParameterizedContext<AppState>;
/** A context the router matched, with the path's parameters (`:id`). */
export type RouteContext = AppContext & { params: Record<string, string | undefined> };
export type Next = () => Promise<unknown>;

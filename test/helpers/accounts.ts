// A Tessera server wired to a real local SMTP server, and the steps people take on the account API.
import type { ExecutionContext } from 'ava';
import { linkIn, startSmtpServer, waitForMail, type SmtpSink } from './smtp.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

export interface AccountServer extends TestServer {
  smtp: SmtpSink;
}

/** Rate limits are off unless a test turns them on: each test says which limits it exercises. */
export async function startAccountServer(t: ExecutionContext, options: TestServerOptions = {}): Promise<AccountServer> {
  const smtp = await startSmtpServer(t);
  const server = await startTestServer(t, {
    ...options,
    env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ACCOUNT: '0', ...options.env },
  });
  return Object.assign(server, { smtp });
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request to the account or admin API. */
export async function api<T = any>(
  server: { url: string },
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

export interface Person {
  email: string;
  password: string;
  name: string;
}

let counter = 0;
export const newPerson = (name = 'Ada'): Person => ({
  email: `${name.toLowerCase()}.${Date.now().toString(36)}${(counter += 1)}@example.com`,
  password: 'correct horse battery staple',
  name,
});

/** Registers, reads the verification mail off the SMTP server, and verifies the address. */
export async function signUp(server: AccountServer, person: Person = newPerson()): Promise<Person & { id: string }> {
  const registered = await api(server, 'POST', '/auth/register', { body: person });
  if (registered.status !== 202) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const mail = await waitForMail(server.smtp, person.email, /verify/i);
  const { token } = linkIn(mail, `${server.config.issuer}/verify-email`);
  const verified = await api(server, 'POST', '/auth/verify-email', { body: { token } });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  const row = await server.services.db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirstOrThrow();
  return { ...person, id: row.id };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** The error body of the account API and the token endpoint (RFC 6749 §5.2). */
export interface ErrorBody {
  error: string;
  error_description?: string;
}

/** A body that is Tokens when the status is 200 and an ErrorBody otherwise. */
export type TokensOrError = Tokens & Partial<ErrorBody>;

export async function login(server: { url: string }, person: Pick<Person, 'email' | 'password'>): Promise<Tokens> {
  const response = await api<Tokens>(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
  if (response.status !== 200) throw new Error(`login: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** An admin made through the CLI's code path, signed in. */
export async function signedInAdmin(server: AccountServer): Promise<{ id: string; token: string }> {
  const person = newPerson('Admin');
  const user = await server.services.users.create({ ...person, role: 'admin', verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });
  return { id: user.id, token: (await login(server, person)).access_token };
}

// Parsing an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1): what shows an
// error page (client or redirect_uri not trusted: RFC 9700 §4.1.3) and what goes back to the
// client as a redirect with error and state, and what a good request becomes.
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { ClientRegistry } from '../../../src/domain/clients/client-registry.js';
import type { Client } from '../../../src/domain/clients/client.js';
import {
  parseAuthorizationRequest,
  redirectWith,
  RedirectableError,
  UntrustedRequestError,
} from '../../../src/domain/oidc/authorization-request.js';
import { unconnectedDb } from '../../helpers/unconnected-db.js';

const REDIRECT = 'https://rp.example/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 Appendix B

const client = (overrides: Partial<Client> = {}): Client => ({
  clientId: 'rp',
  secretHash: null,
  name: 'RP',
  grantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: [REDIRECT],
  postLogoutRedirectUris: [],
  scopes: ['openid', 'profile', 'email'],
  authMethod: 'none',
  accessTokenAlg: 'ES256',
  idTokenAlg: 'RS256',
  audience: null,
  firstParty: false,
  createdAt: 0,
  updatedAt: 0,
  jwks: null,
  jwksUri: null,
  dpopBoundAccessTokens: false,
  requirePushedAuthorizationRequests: false,
  exchangeAudiences: [],
  backchannelLogoutUri: null,
  ...overrides,
});

/** The registry with a fixed set of clients, in place of its database lookups. */
class FixedClients extends ClientRegistry {
  private readonly known: Map<string, Client>;
  constructor(clients: Client[]) {
    super(unconnectedDb(), pino({ level: 'silent' }));
    this.known = new Map(clients.map((c) => [c.clientId, c]));
  }
  override async find(clientId: string): Promise<Client | undefined> {
    return this.known.get(clientId);
  }
}

const clients = new FixedClients([client(), client({ clientId: 'machine', grantTypes: ['client_credentials'] })]);

const good = (): Record<string, string | string[] | undefined> => ({
  client_id: 'rp',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid profile',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  state: 'xyz',
  nonce: 'n-0S6_WzA2Mj',
});

const parse = (changes: Record<string, string | string[] | undefined>) => parseAuthorizationRequest({ ...good(), ...changes }, clients);

async function untrusted(t: ExecutionContext, changes: Record<string, string | string[] | undefined>, description: RegExp) {
  const error = await t.throwsAsync(parse(changes), { instanceOf: UntrustedRequestError }, JSON.stringify(changes));
  t.regex(error?.description ?? '', description);
}

async function redirected(t: ExecutionContext, changes: Record<string, string | string[] | undefined>, code: RedirectableError['code'], description?: RegExp) {
  const error = await t.throwsAsync(parse(changes), { instanceOf: RedirectableError }, JSON.stringify(changes));
  t.is(error?.code, code, JSON.stringify(changes));
  t.is(error?.redirectUri, REDIRECT);
  if (description) t.regex(error?.description ?? '', description);
  return error;
}

test('a good request', async (t) => {
  const { request, client: found } = await parseAuthorizationRequest(good(), clients);
  t.is(found.clientId, 'rp');
  t.deepEqual(request, { clientId: 'rp', redirectUri: REDIRECT, scopes: ['openid', 'profile'], codeChallenge: CHALLENGE, prompt: [], state: 'xyz', nonce: 'n-0S6_WzA2Mj' });
});

test('optional parameters: prompt, max_age, login_hint; empty values count as absent', async (t) => {
  const { request } = await parse({ prompt: 'login consent', max_age: '0', login_hint: 'a'.repeat(400), state: '', nonce: '' });
  t.deepEqual(request.prompt, ['login', 'consent']);
  t.is(request.maxAge, 0);
  t.is(request.loginHint, 'a'.repeat(320), 'login_hint is cut to the longest email address');
  t.false('state' in request);
  t.false('nonce' in request);
  t.deepEqual((await parse({ scope: 'openid openid  email' })).request.scopes, ['openid', 'email'], 'scopes are de-duplicated');
});

test('an unknown client or redirect_uri is an error page, never a redirect', async (t) => {
  await untrusted(t, { client_id: undefined }, /client_id is missing/);
  await untrusted(t, { client_id: '' }, /client_id is missing/);
  await untrusted(t, { client_id: 'nobody' }, /not known/);
  await untrusted(t, { client_id: ['rp', 'rp'] }, /client_id is repeated/);
  await untrusted(t, { redirect_uri: undefined }, /redirect_uri is missing/);
  await untrusted(t, { redirect_uri: [REDIRECT, REDIRECT] }, /redirect_uri is repeated/);
  // Exact string comparison (RFC 9700 §4.1.3): no normalisation of case, slash or port.
  for (const uri of [`${REDIRECT}/`, 'https://RP.example/cb', 'https://rp.example:443/cb', `${REDIRECT}?x=1`]) {
    await untrusted(t, { redirect_uri: uri }, /not registered/);
  }
  await untrusted(t, { redirect_uri: `${REDIRECT}?${'x'.repeat(2048)}` }, /redirect_uri is too long/);
  await untrusted(t, { state: 's'.repeat(2049) }, /state is too long/);
});

test('response_type and the client\'s grant', async (t) => {
  const missing = await redirected(t, { response_type: undefined }, 'invalid_request', /response_type is missing/);
  t.is(missing?.state, 'xyz', 'the state goes back with the error');
  await redirected(t, { response_type: 'token' }, 'unsupported_response_type');
  await redirected(t, { response_type: 'code id_token' }, 'unsupported_response_type');
  await redirected(t, { client_id: 'machine' }, 'unauthorized_client');
});

test('scope', async (t) => {
  await redirected(t, { scope: undefined }, 'invalid_scope', /missing or malformed/);
  await redirected(t, { scope: '   ' }, 'invalid_scope', /missing or malformed/);
  await redirected(t, { scope: 'openid "quoted"' }, 'invalid_scope', /missing or malformed/);
  await redirected(t, { scope: 'openid admin' }, 'invalid_scope', /scope "admin"/);
});

test('PKCE with S256 is required (RFC 7636)', async (t) => {
  await redirected(t, { code_challenge: undefined }, 'invalid_request', /code_challenge is required/);
  await redirected(t, { code_challenge_method: undefined }, 'invalid_request', /must be S256/);
  await redirected(t, { code_challenge_method: 'plain' }, 'invalid_request', /must be S256/);
  await redirected(t, { code_challenge: CHALLENGE.slice(1) }, 'invalid_request', /base64url SHA-256/);
  await redirected(t, { code_challenge: `${CHALLENGE.slice(1)}=` }, 'invalid_request', /base64url SHA-256/);
});

test('prompt, max_age and request objects', async (t) => {
  await redirected(t, { prompt: 'select_account' }, 'invalid_request', /prompt=select_account/);
  await redirected(t, { prompt: 'none login' }, 'invalid_request', /cannot be combined/);
  t.deepEqual((await parse({ prompt: 'none' })).request.prompt, ['none']);
  for (const maxAge of ['-1', '1.5', 'soon', '1234567890']) await redirected(t, { max_age: maxAge }, 'invalid_request', /max_age/);
  await redirected(t, { request: 'eyJ…' }, 'invalid_request', /request objects/);
  await redirected(t, { request_uri: 'urn:example' }, 'invalid_request', /request objects/);
});

test('a repeated parameter after the redirect_uri is checked goes back as invalid_request', async (t) => {
  const error = await redirected(t, { scope: ['openid', 'email'] }, 'invalid_request', /scope is repeated/);
  t.is(error?.state, 'xyz');
  const state = await redirected(t, { state: ['a', 'b'] }, 'invalid_request', /state is repeated/);
  t.is(state?.state, undefined, 'a repeated state is not echoed');
});

test('redirectWith adds the answer and iss (RFC 9207) to the redirect_uri, keeping its query', (t) => {
  const url = new URL(redirectWith('https://rp.example/cb?tenant=a', { code: 'c 1', state: undefined }, 'https://id.example'));
  t.is(url.origin + url.pathname, REDIRECT);
  t.deepEqual([...url.searchParams], [['tenant', 'a'], ['code', 'c 1'], ['iss', 'https://id.example']]);
});

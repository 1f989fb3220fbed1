// The ceiling of the token and introspection rows: bare node:http doing only the work those
// endpoints cannot avoid, with none of Koa, routing, middleware, validation or logging. Whatever a
// server does on top of this costs something, so no Tessera build can beat these rows on this
// machine; comparing them with oidc-provider shows which ratios are reachable at all. Run pinned to
// one core by bench/run.js.
//
//   POST /token?alg=ES256|RS256  read the form body, SHA-256 the Basic secret, sign an RFC 9068
//                                access token with node:crypto (synchronously), answer JSON
//   POST /introspect             read the form body, SHA-256 the Basic secret, look the token up in
//                                a map of verified tokens, read the revocation list in SQLite (WAL,
//                                a prepared statement), answer JSON
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const keys = {
  ES256: { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, dsaEncoding: 'ieee-p1363' },
  RS256: { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
};
const headers = Object.fromEntries(Object.keys(keys).map((alg) => [alg, Buffer.from(JSON.stringify({ alg, kid: 'ceiling', typ: 'at+jwt' })).toString('base64url')]));

const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-ceiling-'));
const db = new Database(path.join(dir, 'ceiling.db'));
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
db.prepare('INSERT INTO revoked_tokens VALUES (?, ?)').run('revoked-elsewhere', Date.now() + 3_600_000);
const isRevoked = db.prepare('SELECT jti FROM revoked_tokens WHERE jti = ?');
/** Tokens this server issued, by their text: a cached signature check. */
const issued = new Map();

function issue(alg) {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, sub: 'bench', aud: issuer, client_id: 'bench', scope: 'api:read', iat, exp: iat + 900, jti: randomBytes(16).toString('base64url') };
  const input = `${headers[alg]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), keys[alg]).toString('base64url')}`;
  if (issued.size >= 10_000) issued.delete(issued.keys().next().value); // like Tessera's cache
  issued.set(token, claims);
  return token;
}

function answer(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-store' });
  res.end(json);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const secret = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString('utf8').split(':')[1] ?? '';
    createHash('sha256').update(secret).digest();
    const url = new URL(req.url, issuer);
    if (url.pathname === '/token') {
      return answer(res, 200, { access_token: issue(url.searchParams.get('alg') === 'RS256' ? 'RS256' : 'ES256'), token_type: 'Bearer', expires_in: 900, scope: form.get('scope') });
    }
    if (url.pathname === '/introspect') {
      const claims = issued.get(form.get('token'));
      if (!claims || isRevoked.get(claims.jti)) return answer(res, 200, { active: false });
      return answer(res, 200, { active: true, ...claims, token_type: 'Bearer' });
    }
    answer(res, 404, { error: 'not_found' });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`ceiling-endpoints listening on ${port}\n`));

const quit = () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
// Die with the bench: the runner holds our stdin open (BENCH_WATCH_STDIN=1) and it closes when the runner exits.
if (process.env.BENCH_WATCH_STDIN === '1') process.stdin.on('end', quit).on('error', quit).resume();

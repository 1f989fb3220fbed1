// A fresh place for one test's server: its own temporary folder (data, keys, outbox) and its own
// database, SQLite by default or PostgreSQL when the test asks for it and TEST_DATABASE_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import pg from 'pg';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL;

export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A free TCP port on loopback (so the issuer can name it before the server listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type DialectName = 'sqlite' | 'postgres';

/** A database URL for one test: a SQLite file in `dir`, or a new PostgreSQL database dropped afterwards. */
export async function testDatabaseUrl(t: ExecutionContext, dir: string, dialect: DialectName = 'sqlite'): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(dir, 'tessera.db')}`;
  if (!POSTGRES_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `tessera_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.teardown(async () => {
    const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The dialects a storage or end-to-end suite runs against here. */
export const DIALECTS: DialectName[] = POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

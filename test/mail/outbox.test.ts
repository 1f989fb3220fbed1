// The mail outbox: real SMTP conversations with smtp-server, retries after SMTP failures with an
// injected clock, the .eml fallback without SMTP_URL, and two workers sharing one database
// (the templates: templates.unit.test.ts). Everything that touches the database runs on every dialect.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import type { MailMessage } from '../../src/mail/message.js';
import { enqueueMail, OutboxWorker } from '../../src/mail/outbox.js';
import { createTransport } from '../../src/mail/transport.js';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { claimDueMessages } from '../../src/storage/repositories/outbox.js';
import { DIALECTS, freePort, tempDir, testDatabaseUrl, type DialectName } from '../helpers/env.js';
import { parseMail, startSmtpServer } from '../helpers/smtp.js';

const START = Date.parse('2026-11-21T10:00:00Z');

interface Fixture {
  db: Db;
  config: Config;
  clock: Clock & { set(ms: number): void };
  logs: string[];
  worker(): OutboxWorker;
}

async function setUp(t: ExecutionContext, dialect: DialectName, smtpPort?: number): Promise<Fixture> {
  const dir = tempDir(t);
  const databaseUrl = await testDatabaseUrl(t, dir, dialect);
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpPort === undefined ? undefined : `smtp://127.0.0.1:${smtpPort}`,
    MAIL_OUTBOX_DIR: join(dir, 'mail', 'outbox'),
    KEYS_DIR: join(dir, 'keys'),
  });
  const db = await openMigratedDatabase(t, databaseUrl);
  let now = START;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const logs: string[] = [];
  const log = createLogger('debug', { write: (line: string) => void logs.push(line) });
  const worker = () => {
    const transport = createTransport(config);
    t.teardown(() => transport.close());
    return new OutboxWorker(db, transport, config.mailFrom, clock, log);
  };
  return { db, config, clock, logs, worker };
}

async function openMigratedDatabase(t: ExecutionContext, url: string): Promise<Db> {
  const { db } = openDatabase(url);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  return db;
}

const mail = (n: number): MailMessage => ({
  to: `person${n}@example.test`,
  subject: `Test mail ${n}`,
  text: `Text body ${n}: https://idp.example.test/verify-email?token=secret-${n}`,
  html: `<p>HTML body ${n}</p>`,
});

const outboxRows = (db: Db) => db.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('to_address').execute();

for (const dialect of DIALECTS) {
  test(`${dialect}: mail enqueued in a transaction goes out over SMTP once, as text and HTML, and is marked sent`, async (t) => {
    const smtp = await startSmtpServer(t);
    const { db, config, clock, worker } = await setUp(t, dialect, smtp.port);
    await db.transaction().execute(async (tx) => {
      await enqueueMail(tx, mail(1), clock.now());
      await enqueueMail(tx, mail(2), clock.now());
    });

    const outbox = worker();
    t.is(await outbox.drain(), 2);
    t.is(await outbox.drain(), 0, 'nothing is sent twice');

    t.is(smtp.received.length, 2);
    const rows = await outboxRows(db);
    for (const [index, row] of rows.entries()) {
      const received = smtp.received.find((m) => m.headers.get('to') === row.to_address);
      t.truthy(received, `${row.to_address} received its mail`);
      t.is(received!.headers.get('subject'), `Test mail ${index + 1}`);
      t.is(received!.headers.get('from'), config.mailFrom);
      t.is(received!.headers.get('message-id'), `<${row.id}@localhost>`, 'the outbox id, stable across retries');
      t.regex(received!.headers.get('content-type')!, /^multipart\/alternative;/);
      t.deepEqual(received!.parts.map((p) => p.type), ['text/plain', 'text/html']);
      t.true(received!.parts[0]!.body.includes(`token=secret-${index + 1}`));
      t.true(received!.parts[1]!.body.includes(`<p>HTML body ${index + 1}</p>`));

      t.is(row.sent_at, START);
      t.is(row.attempts, 1);
      t.is(row.locked_until, null);
      t.is(row.text_body, '', 'bodies with tokens are not kept once delivered');
      t.is(row.html_body, '');
    }
  });

  test(`${dialect}: while SMTP is down mail waits with backoff, then goes out exactly once`, async (t) => {
    const port = await freePort();
    const { db, clock, logs, worker } = await setUp(t, dialect, port);
    await enqueueMail(db, mail(1), clock.now());
    const outbox = worker();

    t.is(await outbox.drain(), 0);
    const [failed] = await outboxRows(db);
    t.is(failed!.sent_at, null);
    t.is(failed!.attempts, 1);
    t.is(failed!.next_attempt_at, START + 2_000);
    t.is(failed!.locked_until, null);
    t.regex(failed!.last_error ?? '', /ECONNREFUSED|connect/i);
    t.is(await outbox.drain(), 0, 'not retried before its time');

    const smtp = await startSmtpServer(t, port);
    t.is(await outbox.drain(), 0, 'still not retried before its time');
    clock.set(START + 2_000);
    t.is(await outbox.drain(), 1);
    t.is(await outbox.drain(), 0);
    t.is(smtp.received.length, 1);
    const [sent] = await outboxRows(db);
    t.is(sent!.sent_at, START + 2_000);
    t.is(sent!.attempts, 2);
    t.is(sent!.last_error, null);

    const logged = logs.join('');
    t.true(logged.includes(sent!.id), 'log lines name the message by id');
    t.false(logged.includes('Test mail') || logged.includes('secret-1') || logged.includes('person1@'), 'never its subject, body or address');
  });

  test(`${dialect}: without SMTP_URL each mail becomes an owner-only .eml file with both parts`, async (t) => {
    const { db, config, clock, worker } = await setUp(t, dialect);
    t.is(config.smtpUrl, undefined);
    await enqueueMail(db, mail(1), clock.now());
    t.is(await worker().drain(), 1);

    const [row] = await outboxRows(db);
    const files = readdirSync(config.mailOutboxDir);
    t.is(files.length, 1);
    t.regex(files[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z-.+\.eml$/);
    t.true(files[0]!.endsWith(`-${row!.id}.eml`));
    const file = join(config.mailOutboxDir, files[0]!);
    t.is(statSync(file).mode & 0o777, 0o600);
    t.is(statSync(config.mailOutboxDir).mode & 0o077, 0, 'the folder is owner-only too');

    const parsed = parseMail(readFileSync(file, 'utf8'));
    t.is(parsed.headers.get('to'), 'person1@example.test');
    t.is(parsed.headers.get('message-id'), `<${row!.id}@localhost>`);
    t.deepEqual(parsed.parts.map((p) => p.type), ['text/plain', 'text/html']);
    t.true(parsed.parts[0]!.body.includes('token=secret-1'));
  });

  test(`${dialect}: two workers on one database deliver each message exactly once`, async (t) => {
    const smtp = await startSmtpServer(t);
    const first = await setUp(t, dialect, smtp.port);
    const second = await openMigratedDatabase(t, first.config.databaseUrl);
    const count = 30;
    for (let n = 1; n <= count; n++) await enqueueMail(first.db, mail(n), first.clock.now());

    // The claim itself: two instances claiming at the same moment get disjoint sets.
    const [a, b] = await Promise.all([
      claimDueMessages(first.db, START, count, 60_000),
      claimDueMessages(second, START, count, 60_000),
    ]);
    const claimedIds = [...a, ...b].map((row) => row.id);
    t.is(claimedIds.length, count);
    t.is(new Set(claimedIds).size, count);
    t.deepEqual(await claimDueMessages(first.db, START + 59_999, count, 60_000), [], 'a lease keeps everyone off');

    // Two workers draining once the leases are over.
    first.clock.set(START + 60_000);
    const workerOnFirst = first.worker();
    const secondTransport = createTransport(first.config);
    t.teardown(() => secondTransport.close());
    const workerOnSecond = new OutboxWorker(second, secondTransport, first.config.mailFrom, first.clock, createLogger('silent'));
    const [sentByFirst, sentBySecond] = await Promise.all([workerOnFirst.drain(), workerOnSecond.drain()]);
    t.is(sentByFirst + sentBySecond, count);
    t.is(smtp.received.length, count);
    t.is(new Set(smtp.received.map((m) => m.headers.get('to'))).size, count);
    t.true((await outboxRows(first.db)).every((row) => row.sent_at !== null && row.attempts === 1));
  });

  test(`${dialect}: a started worker sends soon after wake() and stop() waits for it`, async (t) => {
    const smtp = await startSmtpServer(t);
    const { db, clock, worker } = await setUp(t, dialect, smtp.port);
    const outbox = worker();
    outbox.start();
    t.teardown(() => outbox.stop());
    await enqueueMail(db, mail(1), clock.now());
    outbox.wake();
    for (let waited = 0; smtp.received.length === 0 && waited < 3_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    t.is(smtp.received.length, 1);
    await outbox.stop();
    t.not((await outboxRows(db))[0]!.sent_at, null);
  });
}

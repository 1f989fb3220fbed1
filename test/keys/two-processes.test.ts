// Issue criterion: two server processes on one SQLite file, on the 6 s / 31 s schedule, rotate
// exactly once per interval: the database lock lets one of them decide each time.
import test from 'ava';
import { freePort, tempDir } from '../helpers/env.js';
import { sleep } from '../helpers/http.js';
import { spawnServer } from '../helpers/process.js';
import { openDatabase } from '../../src/storage/db.js';

const RUN_MS = 62_000;

test('two processes on one SQLite file rotate exactly once per interval', async (t) => {
  t.timeout(RUN_MS + 60_000);
  const dir = tempDir(t);
  const schedule = { KEY_ROTATION_INTERVAL: '6s', KEY_PUBLISH_LEAD: '31s', ACCESS_TOKEN_TTL: '5s', ID_TOKEN_TTL: '5s' };
  const issuer = `http://127.0.0.1:${await freePort()}`;
  const first = await spawnServer({ ...schedule, PORT: '0', ISSUER: issuer }, dir);
  t.teardown(() => first.stop());
  await sleep(1_500); // the second joins a little later, in another phase of the tick
  const second = await spawnServer({ ...schedule, PORT: '0', ISSUER: issuer }, dir);
  t.teardown(() => second.stop());

  // The history: every key ever seen, with when it activated (retired keys are deleted later).
  const { db } = openDatabase(`sqlite:${dir}/data/tessera.db`);
  t.teardown(() => db.destroy());
  const activations = new Map<string, { alg: string; at: number }>();
  const started = Date.now();
  let maxActiveAtOnce = 0;
  while (Date.now() - started < RUN_MS) {
    const rows = await db.selectFrom('signing_keys').selectAll().execute();
    for (const row of rows) if (row.activated_at !== null) activations.set(row.kid, { alg: row.alg, at: Number(row.activated_at) });
    for (const alg of ['ES256', 'RS256']) {
      maxActiveAtOnce = Math.max(maxActiveAtOnce, rows.filter((r) => r.alg === alg && r.status === 'active').length);
    }
    await sleep(500);
  }

  t.is(maxActiveAtOnce, 1, 'never two active keys of one algorithm');
  for (const alg of ['ES256', 'RS256']) {
    const times = [...activations.values()].filter((a) => a.alg === alg).map((a) => a.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    t.log(`${alg}: ${times.length} activations, gaps ${gaps.join(', ')} ms`);
    // First key at start, then the first rotation once the lead allows (36 s), then every 6 s.
    t.true(times.length >= 4, `${alg}: rotations happened (${times.length} activations)`);
    t.true(gaps[0]! >= 36_000, `${alg}: the first rotation waited for the publish lead`);
    for (const gap of gaps.slice(1)) {
      t.true(gap >= 6_000, `${alg}: no double rotation (gap ${gap} ms)`);
      t.true(gap < 6_000 + 2_500, `${alg}: no missed rotation (gap ${gap} ms)`);
    }
  }
  // Both processes served the whole time.
  t.is((await fetch(`${first.url}/healthz`)).status, 200);
  t.is((await fetch(`${second.url}/healthz`)).status, 200);
});

// Issue criterion: with the defaults (30 days), nothing rotates during a 30 s run, and `keys list`
// says when the next rotation is due. The 30 s pass on a clock the test moves, one scheduler tick
// per second of it, as the running server would tick; no real time is waited.
import test from 'ava';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { KEY_TICK_MS } from '../../src/crypto/key-scheduler.js';
import { ManualClock, startTestServer } from '../helpers/server.js';

test('with the default 30-day interval keys do not rotate during a 30 s run, and keys list shows the due time', async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { clock });
  const state = async () => (await server.services.db.selectFrom('signing_keys').select(['kid', 'status']).orderBy('kid').execute()).map((r) => `${r.kid}:${r.status}`);
  const before = await state();
  const jwksBefore = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
  for (let elapsed = 0; elapsed < 30_000; elapsed += KEY_TICK_MS) {
    clock.advance(KEY_TICK_MS);
    await server.scheduler.tick();
  }
  t.deepEqual(await state(), before);
  t.is(await (await fetch(`${server.url}/.well-known/jwks.json`)).text(), jwksBefore);

  const keys = await cliJson<Array<Record<string, string | null>>>(['keys', 'list'], cliEnv(server));
  for (const alg of ['ES256', 'RS256']) {
    const active = keys.find((k) => k.alg === alg && k.status === 'active')!;
    const next = keys.find((k) => k.alg === alg && k.status === 'next')!;
    const due = Date.parse(next.activates_at!) - Date.parse(active.activated_at!);
    t.is(due, 30 * 86_400_000, `${alg}: the next key is due 30 days after the active one took over`);
    t.is(active.activates_at, null);
  }
});

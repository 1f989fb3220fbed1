// Issue criterion: with the defaults (30 days), nothing rotates during a 30 s run, and `keys list`
// says when the next rotation is due.
import test from 'ava';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { sleep } from '../helpers/http.js';
import { startTestServer } from '../helpers/server.js';

test('with the default 30-day interval keys do not rotate during a 30 s run, and keys list shows the due time', async (t) => {
  t.timeout(90_000);
  const server = await startTestServer(t);
  const state = async () => (await server.services.db.selectFrom('signing_keys').select(['kid', 'status']).orderBy('kid').execute()).map((r) => `${r.kid}:${r.status}`);
  const before = await state();
  const jwksBefore = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
  await sleep(30_000);
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

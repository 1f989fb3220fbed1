// Sign-in under more load than argon2 can serve (docs/decisions.md: a password endpoint is the cheapest
// way to burn an identity provider's CPU): the hasher admits what it can start soon and refuses the
// rest at once with 503 temporarily_unavailable and Retry-After, never with a queue that grows
// without bound. The figures under sustained load (200 connections) are in `npm run bench`.
import test from 'ava';
import { PasswordHasher } from '../../src/domain/accounts/password-hasher.js';
import { isOAuthError } from '../../src/errors/oauth-error.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';

test('a burst of 80 sign-ins: each gets its tokens or a 503 with Retry-After and the contract body, the refusals are counted under the route, and sign-in works again afterwards', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);

  const answers = await Promise.all(Array.from({ length: 80 }, () => api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })));
  const ok = answers.filter((a) => a.status === 200);
  const refused = answers.filter((a) => a.status === 503);
  t.is(ok.length + refused.length, 80, `statuses: ${answers.map((a) => a.status).join(',')}`);
  t.true(ok.length >= 2, `${ok.length} admitted`);
  // At most concurrency (≤ 4) + the hard queue limit (10 per slot) are admitted at any one time; hashes
  // finish while the burst is still arriving, so more than that may get through in all.
  t.true(refused.length >= 1, `${refused.length} refused`);
  for (const answer of ok) t.is(typeof answer.body.access_token, 'string');
  for (const answer of refused) {
    t.deepEqual(answer.body, { error: 'temporarily_unavailable', error_description: 'the server is busy, try again shortly' });
    t.is(answer.headers.get('retry-after'), '1');
    t.is(answer.headers.get('cache-control'), 'no-store');
    t.regex(answer.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  }

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const counted = metrics.match(/^tessera_http_requests_total\{method="POST",route="\/auth\/login",status="503"\} (\d+)$/m);
  t.is(Number(counted?.[1]), refused.length, 'refusals are counted under the /auth/login route');

  const tokens = await login(server, person);
  t.is(typeof tokens.access_token, 'string');
});

test('the hasher queues a hash only if it would start within its wait budget, at the pace measured, never more than its queue limit, and refuses one whose turn comes past its deadline', async (t) => {
  // One hash at a time; argon2id at 19 MiB takes far longer than 1 ms anywhere.
  const strict = new PasswordHasher({ concurrency: 1, queueLimit: 10, maxWaitMs: 1 });
  await strict.warm();
  const hash = await strict.hash('correct horse battery staple');
  const first = strict.verify(hash, 'correct horse battery staple');
  const second = await strict.verify(hash, 'correct horse battery staple').catch((error: unknown) => error);
  t.true(isOAuthError(second) && second.code === 'temporarily_unavailable', 'a hash that would wait past the budget is refused');
  t.throws(() => strict.assertCapacity(), { message: 'the server is busy, try again shortly' });
  t.deepEqual(await first, { ok: true, needsRehash: false });
  t.notThrows(() => strict.assertCapacity(), 'free again once the running hash is done');

  // A generous budget: the queue limit is what refuses.
  const bounded = new PasswordHasher({ concurrency: 1, queueLimit: 2, maxWaitMs: 60_000 });
  await bounded.warm();
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => bounded.verify(hash, 'wrong password')));
  t.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
    'one running, two queued, the rest refused',
  );
  for (const r of results) if (r.status === 'fulfilled') t.deepEqual(r.value, { ok: false, needsRehash: false });

  // Admitted, but its turn comes after the deadline (1 ms; a hash takes far longer): refused then,
  // and the slot passes on, so the hasher is free again afterwards.
  const late = new PasswordHasher({ concurrency: 1, queueLimit: 5, maxWaitMs: 60_000, deadlineMs: 1 });
  await late.warm();
  const turns = await Promise.allSettled([late.verify(hash, 'wrong password'), late.verify(hash, 'wrong password'), late.verify(hash, 'wrong password')]);
  t.deepEqual(
    turns.map((r) => (r.status === 'rejected' && isOAuthError(r.reason) ? r.reason.code : r.status)),
    ['fulfilled', 'temporarily_unavailable', 'temporarily_unavailable'],
  );
  t.deepEqual(await late.verify(hash, 'correct horse battery staple'), { ok: true, needsRehash: false });
});

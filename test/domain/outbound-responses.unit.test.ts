import test from 'ava';
import { cacheLifetimeMs, readCapped } from '../../src/domain/outbound-responses.js';

const BOUNDS = { fallbackMs: 3_600_000, minMs: 60_000, maxMs: 86_400_000 };

test('Cache-Control max-age within the bounds; no-store and no-cache keep the least; none keeps the fallback', (t) => {
  t.is(cacheLifetimeMs('public, max-age=7200', BOUNDS), 7_200_000);
  t.is(cacheLifetimeMs('max-age="600"', BOUNDS), 600_000);
  t.is(cacheLifetimeMs('Max-Age=5', BOUNDS), 60_000, 'under the least');
  t.is(cacheLifetimeMs('max-age=999999', BOUNDS), 86_400_000, 'over the most');
  t.is(cacheLifetimeMs('max-age=99999999999999999999', BOUNDS), 86_400_000, 'beyond any integer: the longest (RFC 9111 §1.2.2)');
  t.is(cacheLifetimeMs('no-store, max-age=7200', BOUNDS), 60_000);
  t.is(cacheLifetimeMs('private, No-Cache', BOUNDS), 60_000);
  t.is(cacheLifetimeMs('public', BOUNDS), 3_600_000);
  t.is(cacheLifetimeMs(null, BOUNDS), 3_600_000);
  t.is(cacheLifetimeMs(undefined, BOUNDS), 3_600_000);
});

test('a body is read up to the limit; a longer one is refused whatever Content-Length says', async (t) => {
  t.is(Buffer.from(await readCapped(new Response('{"keys":[]}'), 64)).toString(), '{"keys":[]}');
  t.is((await readCapped(new Response(null), 64)).byteLength, 0);
  await t.throwsAsync(readCapped(new Response('x'.repeat(65)), 64), { instanceOf: TypeError });
  await t.throwsAsync(readCapped(new Response('small', { headers: { 'content-length': '100000' } }), 64), { instanceOf: TypeError }, 'a declared length over the limit');
  const streamed = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(40)); // never ends: refused once past the limit
    },
  });
  await t.throwsAsync(readCapped(new Response(streamed), 100), { instanceOf: TypeError }, 'an endless body without Content-Length');
});

// The pure rules of token exchange (RFC 8693): `may_act` (§4.4) and the depth of a chain of `act`.
import test from 'ava';
import { delegationDepth, mayActFor } from '../../../src/domain/tokens/token-exchange.js';

test('may_act, when present, names the only client that may act for the subject', (t) => {
  t.true(mayActFor(undefined, 'orders'), 'absent: the registration decides');
  t.true(mayActFor({ sub: 'orders' }, 'orders'));
  t.false(mayActFor({ sub: 'billing' }, 'orders'));
  t.false(mayActFor({}, 'orders'));
  t.false(mayActFor('orders', 'orders'), 'not an object');
  t.false(mayActFor([{ sub: 'orders' }], 'orders'));
  t.false(mayActFor(null, 'orders'));
});

test('the depth of an act chain counts every nested actor', (t) => {
  t.is(delegationDepth(undefined), 0);
  t.is(delegationDepth({ sub: 'a' }), 1);
  t.is(delegationDepth({ sub: 'c', act: { sub: 'b', act: { sub: 'a' } } }), 3);
});

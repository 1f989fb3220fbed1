// The form parsing rules of the OAuth endpoints and hosted pages (src/http/middleware/form-body.ts):
// application/x-www-form-urlencoded decoded strictly, a repeated parameter is invalid_request
// (RFC 6749 §3.1), a parameter without a value counts as omitted (RFC 6749 §3.1).
import test from 'ava';
import { OAuthError } from '../../../src/errors/oauth-error.js';
import { formUrlDecode, parseForm } from '../../../src/http/middleware/form-body.js';

test('formUrlDecode: + is a space, percent-escapes are UTF-8', (t) => {
  t.is(formUrlDecode('plain-value_1.2~'), 'plain-value_1.2~');
  t.is(formUrlDecode('a+b'), 'a b');
  t.is(formUrlDecode('a%2Bb'), 'a+b');
  t.is(formUrlDecode('%E2%82%AC%20x'), '€ x');
  t.is(formUrlDecode('https%3A%2F%2Frp.example%2Fcb%3Fa%3D1'), 'https://rp.example/cb?a=1');
  t.is(formUrlDecode(''), '');
});

test('formUrlDecode: malformed percent-encoding and invalid UTF-8 throw URIError', (t) => {
  for (const text of ['%', '%2', '%ZZ', '%C3', '%FF', '%ED%A0%80']) t.throws(() => formUrlDecode(text), { instanceOf: URIError }, text);
});

test('parseForm: names and values are decoded into a null-prototype record', (t) => {
  const form = parseForm('grant_type=authorization_code&redirect%5Furi=https%3A%2F%2Frp.example%2Fcb&scope=openid+profile');
  t.is(Object.getPrototypeOf(form), null);
  t.deepEqual({ ...form }, { grant_type: 'authorization_code', redirect_uri: 'https://rp.example/cb', scope: 'openid profile' });
  t.deepEqual({ ...parseForm('') }, {});
});

test('parseForm: __proto__ and friends are ordinary parameters', (t) => {
  const form = parseForm('__proto__=x&constructor=y');
  t.is(form['__proto__'], 'x');
  t.is(form['constructor'], 'y');
  t.is(Object.getPrototypeOf(form), null);
});

test('parseForm: a parameter without a value is omitted; empty pairs are skipped', (t) => {
  t.deepEqual({ ...parseForm('a=&b=1') }, { b: '1' });
  t.deepEqual({ ...parseForm('a&b=1') }, { b: '1' });
  t.deepEqual({ ...parseForm('a=1&&b=2&') }, { a: '1', b: '2' });
  t.deepEqual({ ...parseForm('a=x=y') }, { a: 'x=y' }, 'only the first = separates');
});

test('parseForm: a repeated parameter is invalid_request', (t) => {
  const error = t.throws(() => parseForm('scope=openid&scope=email'), { instanceOf: OAuthError });
  t.is(error?.code, 'invalid_request');
  t.regex(error?.description ?? '', /"scope" is repeated/);
  t.throws(() => parseForm('a=1&a='), { instanceOf: OAuthError }, 'even when the second has no value');
  t.throws(() => parseForm('a=1&%61=2'), { instanceOf: OAuthError }, 'names compare decoded');
  // The first had no value and so was omitted: the second is not a repetition.
  t.deepEqual({ ...parseForm('a=&a=1') }, { a: '1' });
});

test('parseForm: malformed encoding is invalid_request, not a crash', (t) => {
  for (const body of ['a=%ZZ', '%=1', 'a=%C3%28']) {
    const error = t.throws(() => parseForm(body), { instanceOf: OAuthError }, body);
    t.is(error?.code, 'invalid_request');
  }
});

test('parseForm: at most 64 parameters', (t) => {
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');
  t.is(Object.keys(parseForm(pairs(64))).length, 64);
  const error = t.throws(() => parseForm(pairs(65)), { instanceOf: OAuthError });
  t.is(error?.description, 'too many parameters');
});

// Durations in configuration (README, Configuration): `90s`, `15m`, `12h`, `7d`, or plain seconds.
import test from 'ava';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

test('parseDuration reads each unit and plain seconds', (t) => {
  t.is(parseDuration('90s'), 90);
  t.is(parseDuration('15m'), 900);
  t.is(parseDuration('12h'), 43_200);
  t.is(parseDuration('7d'), 604_800);
  t.is(parseDuration('3600'), 3600);
  t.is(parseDuration('0'), 0);
  t.is(parseDuration('  30d '), 2_592_000, 'surrounding space is ignored');
});

test('parseDuration refuses anything else', (t) => {
  for (const text of ['', 's', '15 minutes', '1.5h', '-5s', '5S', '5w', '10m30s', '1e3', '1000000000', '0x10']) {
    t.is(parseDuration(text), undefined, JSON.stringify(text));
  }
});

test('parseDuration accepts up to nine digits, in any unit', (t) => {
  t.is(parseDuration('999999999'), 999_999_999);
  t.is(parseDuration('999999999d'), 999_999_999 * 86_400);
});

test('formatDuration writes the largest unit that divides evenly', (t) => {
  t.is(formatDuration(3600), '1h');
  t.is(formatDuration(90), '90s');
  t.is(formatDuration(120), '2m');
  t.is(formatDuration(2 * 86_400), '2d');
  t.is(formatDuration(86_400 + 3600), '25h');
  t.is(formatDuration(0), '0s');
  t.is(formatDuration(59), '59s');
});

test('formatDuration and parseDuration round-trip', (t) => {
  for (const seconds of [1, 59, 60, 61, 3600, 5400, 86_400, 2_592_000]) t.is(parseDuration(formatDuration(seconds)), seconds);
});

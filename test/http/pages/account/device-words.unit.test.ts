import test from 'ava';
import { deviceFromUserAgent } from '../../../../src/http/pages/account/device-words.js';

const cases: Array<[string, string | undefined, string | undefined]> = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'Chrome', 'Windows'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51', 'Edge', 'Windows'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox', 'macOS'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari', 'macOS'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari', 'iOS'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1', 'Chrome', 'iOS'],
  ['Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari', 'iPadOS'],
  ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 'Samsung Internet', 'Android'],
  ['Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0', 'Firefox', 'Android'],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36', 'Chrome', 'Linux'],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'Chrome', 'ChromeOS'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0', 'Opera', 'Windows'],
  ['curl/8.5.0', 'curl', undefined],
  ['node', 'Node.js', undefined],
  ['python-requests/2.31.0', 'Python', undefined],
  ['', undefined, undefined],
  ['something else entirely', undefined, undefined],
];

for (const [userAgent, browser, system] of cases) {
  test(`${browser ?? 'no browser'} on ${system ?? 'no system'}: ${userAgent.slice(-40)}`, (t) => {
    t.deepEqual(deviceFromUserAgent(userAgent), { browser, system });
  });
}

test('no user agent at all is an unknown device', (t) => {
  t.deepEqual(deviceFromUserAgent(null), { browser: undefined, system: undefined });
  t.deepEqual(deviceFromUserAgent(undefined), { browser: undefined, system: undefined });
});

test('a huge header is read only at its start, quickly', (t) => {
  const started = process.hrtime.bigint();
  t.deepEqual(deviceFromUserAgent(`${'x'.repeat(600)} Firefox/125.0 Windows`), { browser: undefined, system: undefined });
  t.true(process.hrtime.bigint() - started < 50_000_000n);
});

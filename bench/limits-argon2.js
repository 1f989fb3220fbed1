// In-process limit: argon2 verifications per second with Tessera's own parameters (ARGON2_OPTIONS of
// the build, dist/src/domain/accounts/password-hasher.js), the way Tessera runs them: on libuv's thread
// pool, as many at once as the pool allows (UV_THREADPOOL_SIZE, 4 by default; Tessera's own hasher
// admits a few per core, see password-hasher.ts). Run by bench/run.js pinned to the core the server uses.
//
//   node bench/limits-argon2.js SECONDS ROUNDS [OPTIONS_JSON]
//
// Prints one JSON line: {"options","concurrency","rates":[verifies/s per round]}.
import argon2 from 'argon2';
import { throughput } from './lib/throughput.js';

const [seconds, rounds] = [Number(process.argv[2]), Number(process.argv[3])];
if (!(seconds > 0) || !(rounds > 0)) {
  process.stderr.write('usage: limits-argon2.js SECONDS ROUNDS [OPTIONS_JSON]\n');
  process.exit(64);
}
// The runner passes the options it read from dist/ at its start (someone may rebuild dist/ meanwhile).
const ARGON2_OPTIONS = process.argv[4] ? JSON.parse(process.argv[4]) : (await import('../dist/src/domain/accounts/password-hasher.js')).ARGON2_OPTIONS;
const concurrency = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const password = 'bench passphrase 123';
const hash = await argon2.hash(password, ARGON2_OPTIONS);

const verifyOnce = async () => {
  if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify returned false');
};
const measure = (ms) => throughput(verifyOnce, concurrency, ms);

await measure(1000); // warm-up
const rates = [];
for (let i = 0; i < rounds; i += 1) rates.push(await measure(seconds * 1000));
const { type, memoryCost, timeCost, parallelism } = ARGON2_OPTIONS;
const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ options: { type: type === argon2.argon2id ? 'argon2id' : type, memoryCost, timeCost, parallelism }, concurrency, rates, cpuSeconds: (user + system) / 1e6 })}\n`);

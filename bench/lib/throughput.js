// In-process throughput of an async operation: keeps `concurrency` calls in flight for `ms` and
// returns completions per second. Used by the limits scripts (limits-argon2.js, limits-crypto.js).
export async function throughput(work, concurrency, ms) {
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  const lane = async () => {
    while (performance.now() < deadline) {
      await work();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done / ((performance.now() - started) / 1000);
}

// The Koa ceiling: a bare Koa app answering a small JSON body (Tessera is a Koa app). Run pinned to one
// core by bench/run.js.
import Koa from 'koa';

const port = Number(process.env.PORT);
const app = new Koa();
app.use((ctx) => {
  ctx.body = { hello: 'world' };
});

const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`hello-koa listening on ${port}\n`));
server.keepAliveTimeout = 65_000;

// Die with the bench: the runner holds our stdin open (BENCH_WATCH_STDIN=1) and it closes when the runner exits.
if (process.env.BENCH_WATCH_STDIN === '1') process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();

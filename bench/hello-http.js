// The HTTP ceiling: bare node:http answering a small JSON body. Run pinned to one core by bench/run.js.
import http from 'node:http';

const port = Number(process.env.PORT);
const body = JSON.stringify({ hello: 'world' });

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`hello-http listening on ${port}\n`));

// Die with the bench: the runner holds our stdin open (BENCH_WATCH_STDIN=1) and it closes when the runner exits.
if (process.env.BENCH_WATCH_STDIN === '1') process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();

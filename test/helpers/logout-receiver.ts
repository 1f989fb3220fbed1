// An application's back-channel logout endpoint (OIDC Back-Channel Logout 1.0 §2.5), served by the
// test on a real socket: it records each POST, and can be down (socket closed), up again on the same
// port, or hanging (it holds every answer until released).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface ReceivedLogout {
  contentType: string | undefined;
  logoutToken: string | undefined;
  body: string;
}

export class LogoutReceiver {
  readonly received: ReceivedLogout[] = [];
  private server: Server | undefined;
  private held: ServerResponse[] = [];
  private hanging = false;
  private constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/backchannel-logout`;
  }

  /** Listening at once; the port stays this receiver's across stops and starts. */
  static async start(t: ExecutionContext, port = 0): Promise<LogoutReceiver> {
    const server = createServer();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const receiver = new LogoutReceiver((server.address() as AddressInfo).port);
    receiver.attach(server);
    t.teardown(() => receiver.stop());
    return receiver;
  }

  /** Down: connections are refused until `up()`. */
  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer();
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.attach(server);
  }

  /** From now on every request is recorded but not answered, until release(). */
  hang(): void {
    this.hanging = true;
  }

  /** Answers every held request with 200 and stops holding. */
  release(): void {
    this.hanging = false;
    for (const response of this.held.splice(0)) response.writeHead(200, { 'cache-control': 'no-store' }).end();
  }

  get holding(): number {
    return this.held.length;
  }

  private attach(server: Server): void {
    this.server = server;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ contentType: request.headers['content-type'], logoutToken: new URLSearchParams(body).get('logout_token') ?? undefined, body });
        if (this.hanging) this.held.push(response);
        else response.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
  }
}

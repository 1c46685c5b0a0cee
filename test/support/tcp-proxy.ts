import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of a server (here PostgreSQL) that a test can cut: `block()` drops every
 * connection and refuses new ones, `unblock()` lets them through again — one process's database
 * link going away while the database itself stays up for everyone else. `hold()` is the nastier
 * failure, a black hole: connections stay open and new ones are accepted, but nothing is
 * forwarded either way (packets dropped, not refused) until `release()` delivers what waited.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private held = false;
  private backlog: (() => void)[] = [];
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Bytes from `from` go to `to`, or wait while the proxy holds. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (this.held) this.backlog.push(() => to.writable && to.write(chunk));
      else if (to.writable) to.write(chunk);
    });
  }

  /** Stops forwarding without closing anything: a black hole. */
  hold(): void {
    this.held = true;
  }

  /** Ends a hold: what waited is delivered in order, then traffic flows again. */
  release(): void {
    this.held = false;
    const waiting = this.backlog;
    this.backlog = [];
    for (const send of waiting) send();
  }

  async block(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async unblock(): Promise<void> {
    await this.start(this.port);
  }

  async close(): Promise<void> {
    await this.block();
  }
}

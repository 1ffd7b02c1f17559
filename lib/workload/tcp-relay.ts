import net from 'node:net';
import type { PgEndpoint } from '../sut/sut.js';

/**
 * A loopback TCP relay to a target that can change between connections, and whose every session
 * the harness can cut at once. A client program the harness cannot give a query deadline (pgbench)
 * connects here: cutting its sessions makes it see a lost connection and end on its own, instead
 * of being killed (see pgbench-run.ts). Bytes pass through untouched (TLS included).
 */
export class TcpRelay {
  /** Where new sessions go; sessions already open keep their upstream. */
  target: Pick<PgEndpoint, 'host' | 'port'> | undefined;
  private server: net.Server | undefined;
  private address: { readonly host: string; readonly port: number } | undefined;
  private readonly sessions = new Set<net.Socket>();
  private closed = false;

  constructor(private readonly options: { readonly connectTimeoutMs: number }) {}

  /** Starts listening on 127.0.0.1 (an ephemeral port); idempotent. */
  async listen(): Promise<{ readonly host: string; readonly port: number }> {
    if (this.closed) throw new Error('relay is closed');
    if (this.address) return this.address;
    const server = net.createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as net.AddressInfo;
    this.address = { host: '127.0.0.1', port: bound.port };
    return this.address;
  }

  /** Open sessions (client side), for tests and diagnostics. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Cuts every open session (client and upstream); returns how many there were. */
  dropAll(): number {
    const n = this.sessions.size;
    for (const s of [...this.sessions]) s.destroy();
    return n;
  }

  /** Stops listening and cuts every session; idempotent, never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dropAll();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const target = this.target;
    if (this.closed || !target) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port });
    const end = (): void => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      this.sessions.delete(client);
    };
    // A black-holed target must not hold the client past its own connect deadline.
    const timer = setTimeout(end, this.options.connectTimeoutMs);
    timer.unref();
    this.sessions.add(client);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.once('connect', () => {
      clearTimeout(timer);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}

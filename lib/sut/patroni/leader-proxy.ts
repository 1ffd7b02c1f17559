import net from 'node:net';
import type { LeaderChoice, LeaderLocator } from './leader-locator.js';

export interface LeaderProxyOptions {
  /** How long a new connection may wait for a leader to exist before it is reset. Default 2000 ms. */
  readonly leaderWaitMs?: number;
  /** TCP connect deadline towards the leader's Postgres. Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How often open sessions are checked against the current leader; sessions still pinned to a node
   * that another node has replaced as leader are closed (HAProxy's `on-marked-down shutdown-sessions`,
   * as Patroni's docs configure it). Default 1000 ms.
   */
  readonly sessionCheckMs?: number;
  /** Reports routing decisions and resets (never with credentials: there are none at this layer). */
  readonly onEvent?: (event: string, detail: string) => void;
}

interface Session {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly node: string;
}

/**
 * A local TCP endpoint (127.0.0.1, ephemeral port) whose every NEW connection is piped to the
 * Postgres of the node that holds the Patroni leader lock at that moment.
 */
export class LeaderProxy {
  private server: net.Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly sessions = new Set<Session>();
  private readonly pending = new Set<net.Socket>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly leaderWaitMs: number;
  private readonly connectTimeoutMs: number;
  private readonly sessionCheckMs: number;

  constructor(
    private readonly locator: LeaderLocator,
    private readonly options: LeaderProxyOptions = {},
  ) {
    this.leaderWaitMs = options.leaderWaitMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.sessionCheckMs = options.sessionCheckMs ?? 1000;
  }

  /** Starts listening (once) and returns the local address. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.closed) throw new Error('leader proxy is closed');
    // Concurrent first callers share one server (the probe and the ledger start together).
    this.listening ??= this.startServer();
    await this.listening;
    const addr = (this.server as net.Server).address() as net.AddressInfo;
    return { host: '127.0.0.1', port: addr.port };
  }

  private async startServer(): Promise<void> {
    const server = net.createServer((socket) => void this.accept(socket));
    server.on('error', (err) => this.emit('proxy-error', err.message));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.timer = setInterval(() => void this.checkSessions(), this.sessionCheckMs);
    this.timer.unref();
  }

  /** Stops listening and destroys every socket; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sessions) {
      s.client.destroy();
      s.upstream.destroy();
    }
    this.sessions.clear();
    for (const p of this.pending) p.destroy();
    this.pending.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private emit(event: string, detail: string): void {
    this.options.onEvent?.(event, detail);
  }

  private async accept(client: net.Socket): Promise<void> {
    client.pause();
    client.on('error', () => undefined);
    this.pending.add(client);
    try {
      const leader = await this.waitForLeader();
      if (!leader) {
        this.emit('proxy-no-leader', `no leader within ${this.leaderWaitMs}ms: connection reset`);
        client.resetAndDestroy();
        return;
      }
      const upstream = await this.connect(leader);
      if (this.closed || client.destroyed) {
        upstream.destroy();
        client.destroy();
        return;
      }
      const session: Session = { client, upstream, node: leader.node };
      this.sessions.add(session);
      const end = (): void => {
        this.sessions.delete(session);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
      upstream.on('error', () => undefined);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    } catch (err) {
      this.locator.invalidate();
      this.emit('proxy-connect-failed', (err as Error).message);
      client.resetAndDestroy();
    } finally {
      this.pending.delete(client);
    }
  }

  private async waitForLeader(): Promise<LeaderChoice | undefined> {
    const deadline = performance.now() + this.leaderWaitMs;
    let leader = await this.locator.current();
    while (!leader && !this.closed && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      leader = await this.locator.locate();
    }
    return this.closed ? undefined : leader;
  }

  private connect(leader: LeaderChoice): Promise<net.Socket> {
    const { host, pgPort } = leader.endpoint;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: pgPort, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(
            `connect to ${leader.node} (${host}:${pgPort}) timed out after ${this.connectTimeoutMs}ms`,
          ),
        );
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setKeepAlive(true, 1000);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`connect to ${leader.node} (${host}:${pgPort}): ${err.message}`));
      });
    });
  }

  private async checkSessions(): Promise<void> {
    if (this.sessions.size === 0 || this.closed) return;
    const leader = await this.locator.locate().catch(() => undefined);
    // Only a different, confirmed leader closes sessions: while nobody holds the lock (Patroni restarting
    // within ttl), the old primary may still be the right place for them.
    if (!leader) return;
    for (const s of this.sessions) {
      if (s.node === leader.node) continue;
      this.emit('proxy-session-closed', `session on ${s.node} closed: ${leader.node} is the leader now`);
      this.sessions.delete(s);
      s.client.resetAndDestroy();
      s.upstream.destroy();
    }
  }
}

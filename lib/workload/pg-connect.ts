import net from 'node:net';
import pg from 'pg';
import type { PgEndpoint } from '../sut/sut.js';

export interface PgConnectOptions {
  /** Shows up in pg_stat_activity, so tests and operators can tell harness sessions apart. */
  readonly applicationName: string;
  /** Deadline for TCP connect + startup + authentication. Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Client-side deadline of every query on this client (server-side statement_timeout cannot fire during a partition). Default 5000 ms. */
  readonly queryTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called when the connection breaks while idle (the server went away between queries). */
  readonly onBroken?: (err: Error) => void;
}

/** A connected client plus the liveness the harness needs to decide whether to reuse it. */
export interface PgConnection {
  readonly client: pg.Client;
  /** True once the socket errored or ended: such a client is discarded, never reused. */
  readonly broken: boolean;
  /** Backend identity, for a protocol-level cancel after a client-side timeout. */
  readonly backend: { readonly processId: number; readonly secretKey: number } | undefined;
}

/** "user@host:port/db": how an endpoint appears in logs and errors (never with the password). */
export function describeEndpoint(endpoint: PgEndpoint): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

/**
 * Opens a pg client with client-side deadlines and an error listener attached before connecting,
 * so a socket error while idle never becomes an uncaught 'error' event.
 */
export async function connectPg(endpoint: PgEndpoint, options: PgConnectOptions): Promise<PgConnection> {
  const { applicationName, connectTimeoutMs = 2000, queryTimeoutMs = 5000, signal, onBroken } = options;
  signal?.throwIfAborted();
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    database: endpoint.database,
    application_name: applicationName,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 1000,
  });
  const state = { broken: false };
  const markBroken = (err: Error): void => {
    if (state.broken) return;
    state.broken = true;
    onBroken?.(err);
  };
  client.on('error', markBroken);
  client.on('end', () => markBroken(new Error('connection ended')));

  // connectionTimeoutMillis covers the TCP connect and the startup exchange; the abort is ours.
  const onAbort = (): void => destroySocket(client);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
  } catch (err) {
    destroySocket(client);
    if (signal?.aborted) throw signal.reason;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const ids = client as unknown as { processID?: number | null; secretKey?: number | null };
  const backend =
    typeof ids.processID === 'number' && typeof ids.secretKey === 'number'
      ? { processId: ids.processID, secretKey: ids.secretKey }
      : undefined;
  return {
    client,
    get broken() {
      return state.broken;
    },
    backend,
  };
}

/**
 * Drops a client without waiting on the server: a graceful end() waits for the server's reply,
 * which never comes during a partition. Safe to call twice.
 */
export function discardClient(client: pg.Client): void {
  client.end().catch(() => undefined);
  // end() only destroys the socket when a query is active; an idle socket to a black hole would linger.
  destroySocket(client);
}

/** Ends a healthy client politely (Terminate), falling back to dropping it after timeoutMs. Never throws. */
export async function closeClient(client: pg.Client, timeoutMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  destroySocket(client);
}

function destroySocket(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection
    ?.stream;
  stream?.destroy?.();
}

/**
 * Sends a protocol CancelRequest for a backend whose query we gave up on, so a write stuck on a
 * lock or on synchronous replication does not keep a server slot. Best effort, bounded by timeoutMs;
 * never throws. The cancelled write's outcome stays unknown (it may still commit).
 */
export function sendCancel(
  endpoint: PgEndpoint,
  backend: { readonly processId: number; readonly secretKey: number },
  timeoutMs = 1000,
): Promise<void> {
  return new Promise((resolve) => {
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4); // CancelRequest code (1234 << 16 | 5678)
    packet.writeInt32BE(backend.processId, 8);
    packet.writeInt32BE(backend.secretKey, 12);
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    socket.once('error', done);
    socket.once('close', done);
    socket.once('connect', () => socket.end(packet));
  });
}

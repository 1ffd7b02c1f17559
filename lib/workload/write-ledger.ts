import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pRetry from 'p-retry';
import { ledgerRowDigest, toRanges, type LedgerReadBack } from '../observe/ledger-check.js';
import type { TimelineSink } from '../observe/timeline.js';
import type { WriteEvent } from '../observe/timeline-events.js';
import type { PgEndpoint } from '../sut/sut.js';
import { resolveEndpoint, type EndpointSource } from './endpoint-source.js';
import { closeClient, connectPg, discardClient, sendCancel, type PgConnection } from './pg-connect.js';
import { classifyWriteError, describePgError, isSessionError } from './write-outcome.js';

export const DEFAULT_LEDGER_TABLE = 'pxchaos_ledger';

export interface WriteLedgerOptions {
  readonly endpoint: EndpointSource;
  readonly sink: TimelineSink;
  /** Writes started per second, across all connections. Default 20. */
  readonly ratePerSec?: number;
  /** Concurrent writers, each with one write in flight on its own connection. Default 2. */
  readonly connections?: number;
  /** Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** Client-side deadline of one INSERT; past it the write is unknown. Default 2000 ms. */
  readonly writeTimeoutMs?: number;
  readonly table?: string;
  /** Rows of this run are told apart from earlier runs' by this key. Default: random. */
  readonly run?: string;
  readonly applicationName?: string;
}

export interface LedgerCounts {
  readonly acked: number;
  readonly failed: number;
  readonly unknown: number;
}

/**
 * A Jepsen-style writer: inserts unique ids at a fixed rate and records each operation as acked,
 * failed (definitely not committed) or unknown (may have committed), see write-outcome.ts. After
 * recovery, readBack() reads what the table really holds; checkLedger() compares.
 *
 * Table: (run text, id bigint, client_ts, server_ts default now(), server default the answering
 * server's address, payload), primary key (run, id). Each acknowledged write's digest of what was
 * written (run, id, client_ts, payload) goes into the timeline; readBack() returns the digest of
 * each row as read, so a row changed after acknowledgement is caught, not only a missing id.
 */
export class WriteLedger {
  readonly run: string;
  readonly table: string;
  private readonly options: WriteLedgerOptions;
  private readonly intervalMs: number;
  private readonly quotedTable: string;
  private seq = 0;
  private nextAt = 0;
  private stopping = false;
  private readonly stopper = new AbortController();
  private workers: Promise<void>[] = [];
  private readonly cancels = new Set<Promise<void>>();
  private tally = { acked: 0, failed: 0, unknown: 0 };

  constructor(options: WriteLedgerOptions) {
    this.options = options;
    this.run =
      options.run ??
      `run-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
    this.table = options.table ?? DEFAULT_LEDGER_TABLE;
    this.quotedTable = pg.escapeIdentifier(this.table);
    const rate = options.ratePerSec ?? 20;
    if (!(rate > 0)) throw new RangeError(`ledger rate must be positive, got ${rate}`);
    this.intervalMs = 1000 / rate;
  }

  get counts(): LedgerCounts {
    return { ...this.tally };
  }

  /** Creates the ledger table if needed. Safe to run concurrently and repeatedly. */
  async ensureTable(signal?: AbortSignal): Promise<void> {
    const ddl = `CREATE TABLE IF NOT EXISTS ${this.quotedTable} (
      run text NOT NULL,
      id bigint NOT NULL,
      client_ts timestamptz NOT NULL,
      server_ts timestamptz NOT NULL DEFAULT now(),
      server text DEFAULT coalesce(host(inet_server_addr()), 'local'),
      payload text,
      PRIMARY KEY (run, id))`;
    // Tables made by earlier versions have no payload column yet.
    const addPayload = `ALTER TABLE ${this.quotedTable} ADD COLUMN IF NOT EXISTS payload text`;
    await this.withClient('pxchaos-ledger-setup', signal, async (client) => {
      try {
        await client.query(ddl);
      } catch (err) {
        // Two concurrent IF NOT EXISTS can still collide on the catalog: the table exists then.
        if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P07')
          throw err;
      }
      await client.query(addPayload);
    });
  }

  /** Creates the table and starts writing. The writers stop on stop() or when signal aborts. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.workers.length) throw new Error('write ledger already started');
    await this.ensureTable(signal);
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.nextAt = this.options.sink.now();
    const n = this.options.connections ?? 2;
    this.workers = Array.from({ length: n }, () => this.writer());
  }

  /** Stops writing, waits for in-flight writes (bounded by their deadlines), returns the counts. */
  async stop(): Promise<LedgerCounts> {
    this.stopping = true;
    this.stopper.abort();
    await Promise.all(this.workers);
    await Promise.all([...this.cancels]);
    return this.counts;
  }

  /**
   * Reads this run's ids from the table (call it on the current primary, after recovery).
   * Retries connection-level errors; statement errors (no table...) throw at once.
   */
  async readBack(
    endpoint: EndpointSource,
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<LedgerReadBack> {
    const { signal, timeoutMs = 30_000 } = options;
    return pRetry(
      async () => {
        const target = await resolveEndpoint(endpoint, timeoutMs, signal);
        const conn = await connectPg(target, {
          applicationName: 'pxchaos-ledger-readback',
          connectTimeoutMs: Math.min(timeoutMs, 10_000),
          queryTimeoutMs: timeoutMs,
          ...(signal ? { signal } : {}),
        });
        try {
          const result = await conn.client.query<{ id: string; client_ts: Date; payload: string | null }>(
            `SELECT id::text AS id, client_ts, payload FROM ${this.quotedTable} WHERE run = $1`,
            [this.run],
          );
          await closeClient(conn.client);
          const count = new Map<number, number>();
          const contents: [number, string][] = [];
          for (const r of result.rows) {
            const id = Number(r.id);
            count.set(id, (count.get(id) ?? 0) + 1);
            contents.push([id, ledgerRowDigest(this.run, id, r.client_ts, r.payload ?? '')]);
          }
          return {
            table: this.table,
            run: this.run,
            t: this.options.sink.now(),
            server: `${target.host}:${target.port}`,
            present: toRanges(count.keys()),
            duplicates: [...count].filter(([, n]) => n > 1).map(([id]) => id),
            rows: result.rows.length,
            contents: contents.sort((a, b) => a[0] - b[0]),
          };
        } catch (err) {
          discardClient(conn.client);
          throw err;
        }
      },
      {
        retries: 3,
        minTimeout: 500,
        maxTimeout: 2000,
        ...(signal ? { signal } : {}),
        shouldRetry: ({ error }) => !signal?.aborted && isSessionError(error),
      },
    );
  }

  private async withClient<T>(
    applicationName: string,
    signal: AbortSignal | undefined,
    fn: (client: pg.Client) => Promise<T>,
  ): Promise<T> {
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 1000;
    const endpoint = await resolveEndpoint(this.options.endpoint, connectTimeoutMs, signal);
    const conn = await connectPg(endpoint, {
      applicationName,
      connectTimeoutMs: Math.max(connectTimeoutMs, 5000),
      queryTimeoutMs: 10_000,
      ...(signal ? { signal } : {}),
    });
    try {
      const value = await fn(conn.client);
      await closeClient(conn.client);
      return value;
    } catch (err) {
      discardClient(conn.client);
      throw err;
    }
  }

  /** Waits for the next free slot of the shared schedule; missed slots are skipped, never bunched up. */
  private async nextSlot(): Promise<void> {
    const now = this.options.sink.now();
    if (this.nextAt < now - this.intervalMs) this.nextAt = now;
    const at = this.nextAt;
    this.nextAt += this.intervalMs;
    if (at > now) await this.pause(at - now);
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal, ref: false });
    } catch {
      // stopped
    }
  }

  private async writer(): Promise<void> {
    const { sink, endpoint: source } = this.options;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 1000;
    const writeTimeoutMs = this.options.writeTimeoutMs ?? 2000;
    const applicationName = this.options.applicationName ?? 'pxchaos-ledger';
    let conn: PgConnection | undefined;
    let endpoint: PgEndpoint | undefined;
    let failuresInARow = 0;
    while (!this.stopping) {
      await this.nextSlot();
      if (this.stopping) break;
      const id = ++this.seq;
      const t = sink.now();
      let sent = false;
      try {
        if (!conn || conn.broken) {
          if (conn) discardClient(conn.client);
          conn = undefined;
          endpoint = await resolveEndpoint(source, connectTimeoutMs);
          conn = await connectPg(endpoint, {
            applicationName,
            connectTimeoutMs,
            queryTimeoutMs: writeTimeoutMs,
          });
        }
        if (conn.broken) throw new Error('connection broke before the write was sent');
        sent = true;
        const clientTs = new Date(Date.now());
        const payload = randomBytes(8).toString('hex');
        const result = await conn.client.query<{ server: string | null }>(
          `INSERT INTO ${this.quotedTable} (run, id, client_ts, payload) VALUES ($1, $2, $3, $4) RETURNING server`,
          [this.run, id, clientTs, payload],
        );
        this.emit({
          id,
          t,
          outcome: 'acked',
          server: result.rows[0]?.server ?? undefined,
          digest: ledgerRowDigest(this.run, id, clientTs, payload),
        });
        failuresInARow = 0;
      } catch (err) {
        const outcome = classifyWriteError(err, sent);
        this.emit({ id, t, outcome, error: describePgError(err) });
        if (conn) {
          const timedOut = /Query read timeout/.test((err as Error).message);
          if (timedOut && conn.backend && endpoint) this.track(sendCancel(endpoint, conn.backend));
          discardClient(conn.client);
          conn = undefined;
        }
        failuresInARow++;
        // A short backoff; the shared schedule already caps the rate.
        await this.pause(Math.min(50 * failuresInARow, 250));
      }
    }
    if (conn) await closeClient(conn.client);
  }

  private emit(op: {
    id: number;
    t: number;
    outcome: WriteEvent['outcome'];
    error?: string;
    server?: string | undefined;
    digest?: string;
  }): void {
    this.tally[op.outcome]++;
    const latencyMs = this.options.sink.now() - op.t;
    this.options.sink.record({
      kind: 'write',
      t: op.t,
      id: op.id,
      outcome: op.outcome,
      latencyMs,
      ...(op.error !== undefined ? { error: op.error } : {}),
      ...(op.server !== undefined ? { server: op.server } : {}),
      ...(op.digest !== undefined ? { digest: op.digest } : {}),
    });
  }

  private track(cancel: Promise<void>): void {
    this.cancels.add(cancel);
    void cancel.finally(() => this.cancels.delete(cancel));
  }
}

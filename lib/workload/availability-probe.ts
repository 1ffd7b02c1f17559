import type { QueryConfig } from 'pg';
import type { TimelineSink } from '../observe/timeline.js';
import type { ProbeEvent } from '../observe/timeline-events.js';
import type { PgEndpoint } from '../sut/sut.js';
import { resolveEndpoint, type EndpointSource } from './endpoint-source.js';
import {
  closeClient,
  connectPg,
  describeEndpoint,
  discardClient,
  sendCancel,
  type PgConnection,
} from './pg-connect.js';
import { describePgError } from './write-outcome.js';

export type ProbeMode = NonNullable<ProbeEvent['mode']>;

export interface AvailabilityProbeOptions {
  readonly endpoint: EndpointSource;
  readonly sink: TimelineSink;
  /** An attempt starts every intervalMs. Default 100. */
  readonly intervalMs?: number;
  /** Deadline of one attempt (endpoint lookup + connect + query). Default 500. */
  readonly attemptTimeoutMs?: number;
  /**
   * 'write' (default): `SELECT txid_current()` assigns a transaction id and commits, so the attempt
   * succeeds only on a writable primary whose commits complete (synchronous replication included),
   * without a table. 'primary': `pg_is_in_recovery()` is false. 'read': `SELECT 1`.
   */
  readonly mode?: ProbeMode;
  /** Overlapping attempts allowed; beyond it a tick is skipped (counted). Default ceil(timeout / interval) + 1. */
  readonly maxInFlight?: number;
  /** Keep healthy connections for the next attempt (default) or open a fresh one each time. */
  readonly reuseConnections?: boolean;
  readonly applicationName?: string;
}

export interface ProbeCounts {
  readonly attempts: number;
  readonly ok: number;
  readonly failed: number;
  /** Ticks with no attempt because maxInFlight attempts were still running. */
  readonly skipped: number;
}

const QUERIES: Record<ProbeMode, string> = {
  write: 'SELECT txid_current()::text AS v',
  primary: 'SELECT pg_is_in_recovery() AS v',
  read: 'SELECT 1 AS v',
};

/**
 * Sub-second availability sampling: a short attempt on a fixed schedule, each outcome a ProbeEvent
 * stamped with its start time. Attempts overlap (bounded), so a partition that swallows packets
 * delays no later attempt.
 */
export class AvailabilityProbe {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly mode: ProbeMode;
  private readonly maxInFlight: number;
  /** Healthy connections kept for reuse, keyed by the endpoint they reach. */
  private readonly idle: { readonly conn: PgConnection; readonly key: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cancels = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private startedAt = 0;
  private tick = 0;
  private tally = { attempts: 0, ok: 0, failed: 0, skipped: 0 };

  constructor(private readonly options: AvailabilityProbeOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.timeoutMs = options.attemptTimeoutMs ?? 500;
    this.mode = options.mode ?? 'write';
    this.maxInFlight = options.maxInFlight ?? Math.ceil(this.timeoutMs / this.intervalMs) + 1;
    if (!(this.intervalMs > 0 && this.timeoutMs > 0 && this.maxInFlight >= 1))
      throw new RangeError('probe interval, timeout and maxInFlight must be positive');
  }

  get counts(): ProbeCounts {
    return { ...this.tally };
  }

  start(signal?: AbortSignal): void {
    if (this.running) throw new Error('availability probe already started');
    this.running = true;
    this.startedAt = performance.now();
    this.tick = 0;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.schedule();
  }

  /** Stops scheduling, waits for running attempts (bounded by their deadline), closes connections. */
  async stop(): Promise<ProbeCounts> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
    await Promise.all(this.idle.splice(0).map((c) => closeClient(c.conn.client)));
    await Promise.all([...this.cancels]);
    return this.counts;
  }

  /** Fixed-rate schedule anchored at start, so attempts do not drift; late ticks are dropped, not bunched. */
  private schedule(): void {
    if (!this.running) return;
    const elapsed = performance.now() - this.startedAt;
    this.tick = Math.max(this.tick + 1, Math.floor(elapsed / this.intervalMs) + 1);
    this.timer = setTimeout(
      () => {
        this.fire();
        this.schedule();
      },
      this.tick * this.intervalMs - elapsed,
    );
    this.timer.unref();
  }

  private fire(): void {
    if (!this.running) return;
    if (this.inFlight.size >= this.maxInFlight) {
      this.tally.skipped++;
      return;
    }
    const attempt = this.attempt();
    this.inFlight.add(attempt);
    void attempt.finally(() => this.inFlight.delete(attempt));
  }

  private async attempt(): Promise<void> {
    const { sink } = this.options;
    const t = sink.now();
    const started = performance.now();
    const remaining = (): number => Math.max(1, this.timeoutMs - (performance.now() - started));
    let conn: PgConnection | undefined;
    let endpoint: PgEndpoint | undefined;
    let error: string | undefined;
    try {
      endpoint = await resolveEndpoint(this.options.endpoint, remaining());
      conn = this.takeIdle(describeEndpoint(endpoint));
      conn ??= await connectPg(endpoint, {
        applicationName: this.options.applicationName ?? 'pxchaos-probe',
        connectTimeoutMs: remaining(),
        queryTimeoutMs: this.timeoutMs,
      });
      // pg honours a per-query query_timeout; @types/pg does not declare it.
      const query = { text: QUERIES[this.mode], query_timeout: remaining() } as QueryConfig;
      const result = await conn.client.query<{ v: unknown }>(query);
      if (this.mode === 'primary' && result.rows[0]?.v !== false)
        error = 'server is in recovery (not a primary)';
    } catch (err) {
      error = describePgError(err);
      if (conn?.backend && endpoint && /Query read timeout/.test((err as Error).message)) {
        const cancel = sendCancel(endpoint, conn.backend);
        this.cancels.add(cancel);
        void cancel.finally(() => this.cancels.delete(cancel));
      }
    }
    const latencyMs = sink.now() - t;
    if (conn && endpoint) this.release(conn, describeEndpoint(endpoint), error === undefined);
    this.tally.attempts++;
    this.tally[error === undefined ? 'ok' : 'failed']++;
    sink.record({
      kind: 'probe',
      t,
      ok: error === undefined,
      latencyMs,
      mode: this.mode,
      ...(error !== undefined ? { error } : {}),
    });
  }

  /** A kept connection to this endpoint; kept ones to another endpoint (after a failover) are dropped. */
  private takeIdle(key: string): PgConnection | undefined {
    if (this.options.reuseConnections === false) return undefined;
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      if (!entry.conn.broken && entry.key === key) return entry.conn;
      discardClient(entry.conn.client);
    }
    return undefined;
  }

  private release(conn: PgConnection, key: string, healthy: boolean): void {
    if (!healthy || conn.broken) discardClient(conn.client);
    else if (this.running && this.options.reuseConnections !== false && this.idle.length < this.maxInFlight)
      this.idle.push({ conn, key });
    else void closeClient(conn.client);
  }
}

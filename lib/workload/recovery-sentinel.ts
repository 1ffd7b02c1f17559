import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryConfig } from 'pg';
import type { TimelineSink } from '../observe/timeline.js';
import { resolveEndpoint, type EndpointSource } from './endpoint-source.js';
import { closeClient, connectPg, discardClient, type PgConnection } from './pg-connect.js';

export interface RecoverySentinelOptions {
  readonly endpoint: EndpointSource;
  readonly sink: TimelineSink;
  /** Pause after an answer before the next query, and between failed connects. Default 100 ms. */
  readonly intervalMs?: number;
  /** How long one query may wait for its answer before the connection is given up. Default 120 s. */
  readonly patienceMs?: number;
  /**
   * Pause after a failed connect. Default: intervalMs. Each connect may cost the endpoint real work
   * (on Kubernetes a pod lookup and a port-forward through the API server), so not too often.
   */
  readonly reconnectMs?: number;
  /** Deadline of one connect (endpoint lookup included). Default 1 s. */
  readonly connectTimeoutMs?: number;
  readonly applicationName?: string;
}

/** A transaction id is assigned and committed: the answer comes only from a writable primary. */
const QUERY = 'SELECT txid_current()::text AS v';

/**
 * The availability probe's companion for the moment service comes back. The probe gives every
 * attempt a short deadline, so during an outage that stalls the server (a frozen process, a hung
 * drive) its attempts time out and its fresh connections queue in the server's accept backlog; on
 * resume the server works through that backlog first and the probe's answer comes 100–500 ms late
 * (measured with a SIGSTOPped Postgres: bench/rto-accuracy.ts). The sentinel keeps ONE session with
 * ONE query outstanding for as long as `patienceMs`: the stalled backend answers it the instant it
 * runs again. It records only answers (probe events in 'write' mode, `sentinel: true`) — failures
 * are the probe's and the ledger's to record — so it can only make a recovery visible sooner, at
 * the moment a server really served a write. After a failed connect it tries again `reconnectMs` later.
 */
export class RecoverySentinel {
  private readonly intervalMs: number;
  private readonly patienceMs: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private conn: PgConnection | undefined;
  private readonly stopped = new AbortController();
  private answers = 0;

  constructor(private readonly options: RecoverySentinelOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.patienceMs = options.patienceMs ?? 120_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.reconnectMs = options.reconnectMs ?? this.intervalMs;
    if (!(this.intervalMs > 0 && this.patienceMs > 0 && this.connectTimeoutMs > 0 && this.reconnectMs > 0))
      throw new RangeError(
        'sentinel interval, patience, reconnect pause and connect timeout must be positive',
      );
  }

  /** Answers recorded so far. */
  get count(): number {
    return this.answers;
  }

  start(): void {
    if (this.running) throw new Error('recovery sentinel already started');
    this.running = true;
    this.loop = this.run();
  }

  /** Stops at once: an outstanding query is abandoned with its connection. */
  async stop(): Promise<number> {
    this.running = false;
    this.stopped.abort();
    if (this.conn) discardClient(this.conn.client);
    await this.loop;
    return this.answers;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const conn = this.conn ?? (await this.connect());
      if (!conn) {
        await this.pause(this.reconnectMs);
        continue;
      }
      this.conn = conn;
      const { sink } = this.options;
      const t = sink.now();
      try {
        await conn.client.query({ text: QUERY, query_timeout: this.patienceMs } as QueryConfig);
        if (!this.running) break;
        this.answers++;
        sink.record({ kind: 'probe', t, ok: true, latencyMs: sink.now() - t, mode: 'write', sentinel: true });
        await this.pause(this.intervalMs);
      } catch {
        // Not a primary, the session broke, or no answer within patience: start a new session.
        this.conn = undefined;
        discardClient(conn.client);
      }
    }
    if (this.conn) await closeClient(this.conn.client);
    this.conn = undefined;
  }

  private async connect(): Promise<PgConnection | undefined> {
    try {
      const endpoint = await resolveEndpoint(
        this.options.endpoint,
        this.connectTimeoutMs,
        this.stopped.signal,
      );
      return await connectPg(endpoint, {
        applicationName: this.options.applicationName ?? 'pxchaos-sentinel',
        connectTimeoutMs: this.connectTimeoutMs,
        queryTimeoutMs: this.patienceMs,
        signal: this.stopped.signal,
      });
    } catch {
      return undefined;
    }
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }
}

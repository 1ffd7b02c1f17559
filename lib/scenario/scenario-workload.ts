import { setMaxListeners } from 'node:events';
import type { Timeline } from '../observe/timeline.js';
import type { Sut } from '../sut/sut.js';
import { AvailabilityProbe } from '../workload/availability-probe.js';
import { RecoverySentinel } from '../workload/recovery-sentinel.js';
import { WriteLedger } from '../workload/write-ledger.js';
import type { LedgerReadBack } from '../observe/ledger-check.js';
import { resolveEndpoint } from '../workload/endpoint-source.js';
import { PgbenchRun } from '../workload/pgbench-run.js';
import { pgbenchFigures, readPgbenchState, tallyFigures } from '../workload/pgbench-invariants.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/**
 * The client side of a scenario: the write ledger, the availability probe (with its recovery
 * sentinel, which catches the instant a stalled server answers again) and the SUT's platform
 * events, all recording into one timeline, and pgbench's transactions (unless turned off), whose
 * figures pgbenchCheck() reads after the run. Started before the fault, stopped after the heal.
 */
export class ScenarioWorkload {
  readonly ledger: WriteLedger;
  /** undefined when workload.pgbench.enabled is false. */
  readonly pgbench: PgbenchRun | undefined;
  private readonly probe: AvailabilityProbe;
  private readonly sentinel: RecoverySentinel;
  private readonly watchStop = new AbortController();
  private started = false;

  constructor(
    private readonly sut: Sut,
    private readonly timeline: Timeline,
    workload: PxchaosConfig['workload'],
  ) {
    const endpoint = (signal: AbortSignal) => sut.writeEndpoint(signal);
    this.ledger = new WriteLedger({
      endpoint,
      sink: timeline,
      ratePerSec: workload.writeRate,
      writeTimeoutMs: workload.queryTimeoutMs,
      applicationName: 'pxchaos-ledger',
    });
    this.probe = new AvailabilityProbe({
      endpoint,
      sink: timeline,
      intervalMs: workload.probeIntervalMs,
      applicationName: 'pxchaos-probe',
    });
    this.sentinel = new RecoverySentinel({
      endpoint,
      sink: timeline,
      intervalMs: workload.probeIntervalMs,
      reconnectMs: sut.reconnectPauseMs ?? workload.probeIntervalMs,
      applicationName: 'pxchaos-sentinel',
    });
    this.pgbench = workload.pgbench.enabled
      ? new PgbenchRun({
          endpoint,
          scale: workload.pgbenchScale,
          clients: workload.pgbench.clients,
          ratePerSec: workload.pgbench.ratePerSec,
          segmentMs: workload.pgbench.segmentMs,
          applicationName: 'pxchaos-pgbench',
        })
      : undefined;
  }

  /** Runs until stop(): no signal here, a setup deadline would stop the writers when it fires. */
  async start(): Promise<void> {
    // Every platform watch, its re-lists and the stuck-pod remedy's requests listen to this one
    // signal: more than Node's default of 10 listeners is expected, not a leak.
    setMaxListeners(50, this.watchStop.signal);
    this.sut.watch(
      (e) =>
        this.timeline.record({
          kind: 'platform',
          event: e.event,
          ...(e.node && { node: e.node }),
          ...(e.detail && { detail: e.detail }),
          ...(e.at && { at: e.at }),
        }),
      this.watchStop.signal,
    );
    await this.ledger.start();
    this.probe.start();
    this.sentinel.start();
    this.started = true;
    await this.pgbench?.start();
  }

  /** Idempotent; never throws (it runs in cleanups). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.watchStop.abort();
    await Promise.allSettled([
      this.ledger.stop(),
      this.probe.stop(),
      this.sentinel.stop(),
      this.pgbench?.stop(),
    ]);
  }

  /**
   * pgbench's figures after recovery (call after stop()): the logs' tally and the database's state
   * (lib/workload/pgbench-invariants.ts). Never throws: what could not be read is pgbench_error.
   */
  async pgbenchCheck(signal: AbortSignal): Promise<Record<string, number | string>> {
    if (!this.pgbench) return { pgbench: 'off' };
    const tally = this.pgbench.tally;
    try {
      const endpoint = await resolveEndpoint((s) => this.sut.writeEndpoint(s), 10_000, signal);
      return pgbenchFigures(tally, await readPgbenchState(endpoint, tally.tagPrefix, { signal }));
    } catch (err) {
      return {
        ...tallyFigures(tally),
        pgbench_error: `pgbench's tables could not be read: ${(err as Error).message}`,
      };
    }
  }

  readBack(signal: AbortSignal): Promise<LedgerReadBack> {
    return this.ledger.readBack((s) => this.sut.writeEndpoint(s), { signal });
  }
}

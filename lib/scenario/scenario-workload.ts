import { setMaxListeners } from 'node:events';
import type { Timeline } from '../observe/timeline.js';
import type { Sut } from '../sut/sut.js';
import type { PxchaosConfig } from '../config/config-schema.js';
import { AvailabilityProbe } from '../workload/availability-probe.js';
import { WriteLedger } from '../workload/write-ledger.js';
import type { LedgerReadBack } from '../observe/ledger-check.js';

/**
 * The client side of a scenario: the write ledger, the availability probe and the SUT's platform
 * events, all recording into one timeline. Started before the fault, stopped after the heal.
 */
export class ScenarioWorkload {
  readonly ledger: WriteLedger;
  private readonly probe: AvailabilityProbe;
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
    this.started = true;
  }

  /** Idempotent; never throws (it runs in cleanups). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.watchStop.abort();
    await Promise.allSettled([this.ledger.stop(), this.probe.stop()]);
  }

  readBack(signal: AbortSignal): Promise<LedgerReadBack> {
    return this.ledger.readBack((s) => this.sut.writeEndpoint(s), { signal });
  }
}

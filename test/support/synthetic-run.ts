import type { ScenarioResult, TimelineEvent, Verdict } from '../../lib/observe/timeline-events.js';
import { seededRandom } from '../../lib/report/stats/seeded-random.js';

/**
 * A realistic synthetic scenario run (Patroni-style failover under a write ledger and a probe)
 * for report tests and the sample report. Metrics and verdicts are computed from the generated
 * timeline, the way the real checker does it, so tests never copy figures from the code under test.
 */
export interface SyntheticRunOptions {
  readonly scenario?: string;
  readonly target?: string;
  readonly sut?: string;
  readonly seed?: number;
  /** When the fault is injected, ms after the scenario start. */
  readonly injectAtMs?: number;
  /** How long writes keep failing after injection (until the new primary takes writes). */
  readonly outageMs?: number;
  /** How long the fault stays in place. */
  readonly holdMs?: number;
  /** Writes sent per second. */
  readonly writeRate?: number;
  /** Client query timeout: a write hanging this long is recorded as unknown. */
  readonly queryTimeoutMs?: number;
  /** Expected recovery threshold for the RTO verdict. */
  readonly recoveryWithinMs?: number;
  /** Acknowledged writes found missing after recovery. */
  readonly lostAcked?: number;
  /** pgbench transactions acknowledged and missing from pgbench_history after recovery. */
  readonly pgbenchLost?: number;
  readonly startedAt?: string;
  readonly primaryBefore?: string;
  readonly primaryAfter?: string;
  readonly fault?: string;
  /** Whether the scenario expects the primary to move (the verdict checks it). */
  readonly primaryMoves?: boolean;
  /** Which repetition of a `--repeat N` run this is (saved as `<scenario>.rep<k>.*` from the second on). */
  readonly repetition?: number;
}

export interface SyntheticRun {
  readonly result: ScenarioResult;
  readonly timeline: {
    readonly scenario: string;
    readonly startWall: number;
    readonly events: TimelineEvent[];
  };
}

export function syntheticRun(options: SyntheticRunOptions = {}): SyntheticRun {
  const scenario = options.scenario ?? 'network-partition';
  const target = options.target ?? 'lab';
  const sut = options.sut ?? 'patroni';
  const rnd = seededRandom(options.seed ?? 1);
  const injectAt = options.injectAtMs ?? 14_000;
  const outage = options.outageMs ?? 18_000;
  const hold = options.holdMs ?? 40_000;
  const rate = options.writeRate ?? 20;
  const queryTimeout = options.queryTimeoutMs ?? 2000;
  const startedAt = options.startedAt ?? '2025-03-14T09:30:00.000Z';
  const startWall = Date.parse(startedAt);
  const before = options.primaryBefore ?? 'n1';
  const after = options.primaryAfter ?? 'n2';
  const fault = options.fault ?? 'partition';
  const events: TimelineEvent[] = [];
  const at = (t: number) => ({ t, wall: startWall + Math.round(t) });

  const workloadStart = 6000;
  const healAt = injectAt + hold;
  const end = healAt + 16_000;
  const recoverAt = injectAt + outage;

  events.push({ kind: 'step', name: 'arrange', ...at(0) });
  events.push({ kind: 'step', name: 'act', ...at(injectAt - 400) });
  events.push({ kind: 'fault', phase: 'journaled', fault, node: before, ...at(injectAt - 30) });
  events.push({ kind: 'fault', phase: 'injected', fault, node: before, ...at(injectAt) });
  events.push({ kind: 'fault', phase: 'verified', fault, node: before, ...at(injectAt + 700) });
  events.push({ kind: 'step', name: 'observe', ...at(injectAt + 750) });
  events.push({
    kind: 'platform',
    event: 'leader lost',
    node: before,
    detail: 'leader key expired in etcd',
    ...at(recoverAt - 2600),
  });
  events.push({
    kind: 'platform',
    event: 'leader →',
    node: after,
    detail: `promoted ${after} (was ${before})`,
    ...at(recoverAt - 900),
  });
  events.push({ kind: 'step', name: 'heal', ...at(healAt - 100) });
  events.push({ kind: 'fault', phase: 'healed', fault, node: before, ...at(healAt) });
  events.push({ kind: 'fault', phase: 'heal-verified', fault, node: before, ...at(healAt + 400) });
  events.push({
    kind: 'platform',
    event: 'replica rejoined',
    node: before,
    detail: 'pg_rewind, streaming',
    ...at(healAt + 7000),
  });
  events.push({ kind: 'step', name: 'assert', ...at(end - 1500) });

  // Ledger writes: fine before the fault; hanging (unknown) right after it, then refused until the new primary answers.
  let id = 0;
  const gap = 1000 / rate;
  for (let t = workloadStart; t < end - 1600; t += gap) {
    id += 1;
    const jitter = rnd();
    if (t < injectAt || t >= recoverAt) {
      events.push({
        kind: 'write',
        id,
        outcome: 'acked',
        latencyMs: 2 + jitter * 6,
        server: t < injectAt ? before : after,
        ...at(t),
      });
    } else if (t < injectAt + queryTimeout * 1.5) {
      events.push({
        kind: 'write',
        id,
        outcome: 'unknown',
        latencyMs: queryTimeout,
        error: 'query timeout',
        ...at(t),
      });
    } else {
      const error = jitter < 0.5 ? 'connection refused' : 'cannot execute INSERT in a read-only transaction';
      events.push({ kind: 'write', id, outcome: 'failed', latencyMs: 5 + jitter * 40, error, ...at(t) });
    }
  }
  // Probe every 100 ms, failing from injection until the new primary answers.
  for (let t = workloadStart + 30; t < end - 1600; t += 100) {
    const ok = t < injectAt || t >= recoverAt + 150;
    events.push(
      ok
        ? { kind: 'probe', ok, latencyMs: 1 + rnd() * 3, ...at(t) }
        : {
            kind: 'probe',
            ok,
            latencyMs: 250,
            error: 'timeout connecting to postgres://app:***@n1',
            ...at(t),
          },
    );
  }
  events.sort((a, b) => a.t - b.t);

  const metrics = {
    ...computeMetrics(events, options.lostAcked ?? 0, before, after),
    // pgbench at 10 transactions/s from the workload's start, none while writes failed.
    pgbench_tx_acked: Math.round(((end - 1600 - workloadStart - (recoverAt - injectAt)) / 1000) * 10),
    pgbench_tx_lost: options.pgbenchLost ?? 0,
    pgbench_restarts: Math.ceil(outage / 2000),
    pgbench_invariant: 'ok',
  };
  const verdicts = judge(
    metrics,
    options.recoveryWithinMs ?? 60_000,
    options.primaryMoves ?? before !== after,
  );
  const result: ScenarioResult = {
    scenario,
    target,
    sut,
    startedAt,
    durationMs: end,
    metrics,
    verdicts,
    timelineFile: `${scenario}${(options.repetition ?? 1) > 1 ? `.rep${options.repetition}` : ''}.timeline.json`,
    ...(options.repetition !== undefined && { repetition: options.repetition }),
  };
  return { result, timeline: { scenario, startWall, events } };
}

/** The client-side metrics as design.md defines them, computed from the events alone. */
export function computeMetrics(
  events: readonly TimelineEvent[],
  lostAcked: number,
  primaryBefore: string,
  primaryAfter: string,
): Record<string, number | string> {
  const writes = events.filter((e) => e.kind === 'write');
  const injected = events.find((e) => e.kind === 'fault' && e.phase === 'injected');
  const acked = writes.filter((w) => w.outcome === 'acked');
  const lastBad = [...writes].reverse().find((w) => w.outcome !== 'acked');
  const recovery = lastBad ? acked.find((w) => w.t > lastBad.t) : undefined;
  let longest = 0;
  for (let i = 1; i < acked.length; i++)
    longest = Math.max(longest, (acked[i]?.t ?? 0) - (acked[i - 1]?.t ?? 0));
  return {
    rto_ms: Math.round(injected && recovery ? recovery.t - injected.t : 0),
    // One outage window in these runs: total and longest unavailability coincide.
    unavailable_ms: Math.round(longest),
    longest_unavailable_ms: Math.round(longest),
    acked: acked.length,
    failed: writes.filter((w) => w.outcome === 'failed').length,
    unknown: writes.filter((w) => w.outcome === 'unknown').length,
    lost_acked: lostAcked,
    rows_before: 1_000_000,
    rows_after: 1_000_000,
    primary_before: primaryBefore,
    primary_after: primaryAfter,
  };
}

function judge(
  metrics: Record<string, number | string>,
  recoveryWithinMs: number,
  primaryMoves: boolean,
): Verdict[] {
  const rto = Number(metrics.rto_ms);
  const lost = Number(metrics.lost_acked);
  return [
    {
      name: 'recovers within threshold',
      passed: rto <= recoveryWithinMs,
      message: `expected RTO ≤ ${recoveryWithinMs} ms, measured ${rto} ms`,
      durationMs: 3,
    },
    {
      name: 'no acknowledged write lost (RPO = 0)',
      passed: lost === 0,
      message: `expected 0 acknowledged writes missing, measured ${lost}`,
      durationMs: 420,
    },
    {
      name: 'pgbench rows unchanged',
      passed: metrics.rows_before === metrics.rows_after,
      message: `expected ${metrics.rows_before} rows, measured ${metrics.rows_after}`,
      durationMs: 180,
    },
    {
      name: 'pgbench transactions atomic and durable',
      passed: metrics.pgbench_tx_lost === 0 && metrics.pgbench_invariant === 'ok',
      message: `expected every acknowledged pgbench transaction in pgbench_history, ${String(metrics.pgbench_tx_lost)} missing`,
      durationMs: 0,
    },
    {
      name: primaryMoves ? 'primary moved to a replica' : 'primary stayed',
      passed: primaryMoves
        ? metrics.primary_before !== metrics.primary_after
        : metrics.primary_before === metrics.primary_after,
      message: `primary ${metrics.primary_before} → ${metrics.primary_after}`,
      durationMs: 2,
    },
    {
      name: 'nothing left behind',
      passed: true,
      message: 'no iptables rules, agents running, drives online',
      durationMs: 950,
    },
  ];
}

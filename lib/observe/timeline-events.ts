import type { RunFingerprint } from './run-fingerprint.js';
import type { RecoveryPhase } from './recovery-phase.js';

/**
 * The timeline's vocabulary. Every event carries `t`: milliseconds since the scenario's
 * start on a monotonic clock (performance.now), and `wall`: the wall-clock time (epoch ms)
 * for display only. Metrics are computed from `t` alone, so a wall-clock jump changes nothing.
 */
interface EventBase {
  readonly t: number;
  readonly wall: number;
}

/**
 * Fault lifecycle, mirrored from the journal. 'healing': the revert command starts (what it does to
 * the SUT from then on is the heal's doing, not the fault's); 'healed': it has completed. 'lapsed':
 * a fault that must hold for its whole hold (a stopped agent) was found gone before its heal.
 */
export interface FaultEvent extends EventBase {
  readonly kind: 'fault';
  readonly phase:
    | 'journaled'
    | 'injected'
    | 'verified'
    | 'lapsed'
    | 'healing'
    | 'healed'
    | 'heal-verified'
    | 'auto-reverted';
  readonly fault: string;
  readonly node: string;
  readonly detail?: string;
}

/** One availability probe attempt (a short query against the SUT's endpoint). */
export interface ProbeEvent extends EventBase {
  readonly kind: 'probe';
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
  /**
   * What the probe exercised: 'write' (a transaction that commits, incl. synchronous replication),
   * 'primary' (connected to a server not in recovery), 'read' (any answer). Absent = 'write'.
   * Only 'read' probes are left out of write-path availability.
   */
  readonly mode?: 'write' | 'primary' | 'read';
  /** An answer of the recovery sentinel (lib/workload/recovery-sentinel.ts): its one long-patience query. */
  readonly sentinel?: boolean;
}

/** One ledger write; `t` is when it was sent, `latencyMs` how long until its outcome was known. */
export interface WriteEvent extends EventBase {
  readonly kind: 'write';
  readonly id: number;
  readonly outcome: 'acked' | 'failed' | 'unknown';
  readonly latencyMs: number;
  readonly error?: string;
  /** The server that acknowledged it (inet_server_addr / node name), when known. */
  readonly server?: string;
  /** Digest of the row as written (ledgerRowDigest), checked against the read-back. */
  readonly digest?: string;
}

/** Something the platform reported: leader change, node NotReady, pod deleted/Ready, agent state. */
export interface PlatformEvent extends EventBase {
  readonly kind: 'platform';
  readonly event: string;
  readonly node?: string;
  readonly detail?: string;
  /** The platform's own timestamp (ISO 8601, e.g. a Kubernetes Event's lastTimestamp); `t` is the harness clock. */
  readonly at?: string;
}

/** A scenario step boundary (arrange, act, observe, heal, assert). */
export interface StepEvent extends EventBase {
  readonly kind: 'step';
  readonly name: string;
}

export type TimelineEvent = FaultEvent | ProbeEvent | WriteEvent | PlatformEvent | StepEvent;

/** What a scenario produces, the input of the reports. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly target: string;
  readonly sut: string;
  /** Where the fault went (lib/sut/placement.ts); absent in results from before placements: primary. */
  readonly placement?: string;
  /** Which of a `--repeat N` run's repetitions (1-based); absent when the scenario ran once. */
  readonly repetition?: number;
  /** What it ran on: versions, CPUs, a digest of the timing settings (run-fingerprint.ts). */
  readonly fingerprint?: RunFingerprint;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Measured figures (rto_ms, unavailable_ms, acked, lost_acked, unknown, rows_before, rows_after, primary_before, ...). */
  readonly metrics: Readonly<Record<string, number | string>>;
  readonly verdicts: readonly Verdict[];
  /** The recovery in phases (lib/observe/split-recovery.ts), where it splits; figures in `metrics`. */
  readonly phases?: readonly RecoveryPhase[];
  /** Path of the saved timeline JSON, relative to the report directory. */
  readonly timelineFile?: string;
}

export interface Verdict {
  readonly name: string;
  readonly passed: boolean;
  /** Expected vs measured, for a failure; the measured figure for a pass. */
  readonly message?: string;
  readonly durationMs: number;
}

import type { ActiveFault } from '../../faults/fault.js';
import { Timeline, type TimelineMeta } from '../../observe/timeline.js';
import type { FaultKind } from '../../sut/expectations.js';
import type { Placement } from '../../sut/placement.js';
import type { OpenTarget } from '../../targets/target.js';
import type { LiveView } from '../../live/live-view.js';
import { LiveState } from '../live-state.js';
import { Progress } from '../progress.js';
import type { FlowFacts } from '../scenario-verdicts.js';
import type { ScenarioWorkload } from '../scenario-workload.js';
import type { TargetPresence } from '../target-presence.js';
import { leaseTarget, type TargetLease } from '../target-session.js';
import type { AccountsDigest } from '../../workload/table-digest.js';
import type { RunSettings } from '../run-settings.js';
import { deadlineSignal } from '../../time/deadline-signal.js';
import type { PxchaosConfig } from '../../pxchaos-config.js';

/** Figures and names the flow records for the metrics and checks (saved with the timeline). */
export type FlowValues = Record<string, number | string>;

/**
 * What the phases acquired: what must be let go whatever happens (flow/release.ts: the target lease,
 * the workload, the presence watch, the fault in force) and what later phases compare against.
 */
export interface Held {
  lease?: TargetLease;
  presence?: TargetPresence;
  workload?: ScenarioWorkload;
  fault?: ActiveFault;
  /** From here on, another process's fault on the run's nodes disturbs what the run measures. */
  measuringFrom?: Date;
  /** The table's digest before the fault (read back compares with it). */
  digestBefore?: AccountsDigest;
}

/** One scenario's run: its settings, its record, and the phase it is in. Passed to every phase. */
export interface ScenarioContext {
  readonly kind: FaultKind;
  readonly placement: Placement;
  readonly config: PxchaosConfig;
  readonly step: boolean;
  readonly progress: Progress;
  readonly timeline: Timeline;
  readonly live: LiveState;
  readonly facts: FlowFacts;
  readonly values: FlowValues;
  readonly held: Held;
  /** The run's: aborted when it is interrupted. */
  readonly signal: AbortSignal;
  /** The phase now (an interruption names it). */
  readonly phase: string;
  /** Enters a step: recorded on the timeline and printed. */
  mark(name: string): void;
  /** A deadline `ms` from now that also ends with the run (interrupted). */
  within(ms: number): AbortSignal;
  meta(): TimelineMeta;
  /** The opened target, once arrange leased it. */
  target(): OpenTarget;
  /** Leases the configured target (the run's, opened once for all its scenarios). */
  leaseTarget(signal: AbortSignal): Promise<TargetLease>;
  /** `--live`: the page showing the run, and this scenario's id on it. */
  readonly view: { readonly page: LiveView; readonly id: number } | undefined;
}

/** How a scenario leases its target; tests give a fake target here. */
export type LeaseTarget = (
  config: PxchaosConfig,
  progress: (line: string) => void,
  signal: AbortSignal,
) => Promise<TargetLease>;

/** How a scenario context is made beyond its fault and placement. */
export interface ContextOptions {
  /** Tests give a fake target here. */
  readonly lease?: LeaseTarget;
  /** Which of a `--repeat N` run's repetitions (1-based); undefined when the scenario runs once. */
  readonly repetition?: number | undefined;
}

export function scenarioContext(
  kind: FaultKind,
  placement: Placement,
  settings: RunSettings,
  { lease = leaseTarget, repetition }: ContextOptions = {},
): ScenarioContext {
  const { config, step, signal } = settings;
  const placed = placement === 'primary' ? kind : `${kind}, ${placement}`;
  const progress = new Progress(repetition === undefined ? placed : `${placed}, repetition ${repetition}`);
  const timeline = new Timeline();
  const live = new LiveState();
  timeline.subscribe((e) => live.observe(e));
  const page = settings.view;
  const view = page && { page, id: page.beginScenario(progress.scenario) };
  if (view) timeline.subscribe((e) => view.page.event(view.id, e));
  const facts: FlowFacts = { kind };
  const values: FlowValues = { placement };
  // Turned off, the pgbench check says so whether or not the flow gets that far.
  if (!config.workload.pgbench.enabled) values.pgbench = 'off';
  const held: Held = {};
  let phase = 'start';
  return {
    kind,
    placement,
    config,
    step,
    progress,
    timeline,
    live,
    facts,
    values,
    held,
    signal,
    get phase() {
      return phase;
    },
    mark(name) {
      phase = name;
      timeline.record({ kind: 'step', name });
      progress.step(name);
    },
    // Not AbortSignal.any([signal, AbortSignal.timeout(ms)]): see deadlineSignal (it hung a CI run 80 min).
    view,
    within: (ms) => deadlineSignal(ms, signal),
    meta: () => ({
      scenario: kind,
      target: facts.target ?? config.target,
      sut: facts.sut ?? 'unknown',
      placement,
      ...(repetition !== undefined && { repetition }),
      ...(facts.fingerprint && { fingerprint: facts.fingerprint }),
    }),
    leaseTarget: (leaseSignal) => lease(config, (line) => progress.step(line), leaseSignal),
    target() {
      const target = held.lease?.target;
      if (!target) throw new Error('the target is not open');
      return target;
    },
  };
}

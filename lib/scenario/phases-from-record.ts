import type { Metrics } from '../observe/metrics.js';
import type { RecoveryPhase, TimingSettings } from '../observe/recovery-phase-plan.js';
import { splitRecovery } from '../observe/split-recovery.js';
import type { FaultEvent } from '../observe/timeline-events.js';
import type { TimelineData } from '../observe/timeline.js';
import type { FaultKind } from '../sut/expectations.js';
import { recoveryPhasesOf } from '../sut/recovery-phase-plans.js';

/**
 * A scenario's recovery in phases, from its saved record: the SUT's plan for the fault (by the
 * names the timeline records), cut at the events, predicted from the timings the run saved. None
 * when there is nothing to split — no failure (rto 0), never recovered, a fault placed off the
 * primary (the plans describe the primary's node), or a SUT or fault without a plan.
 */
export function phasesFromRecord(
  data: TimelineData,
  kind: FaultKind,
  metrics: Metrics,
  timings: TimingSettings = {},
): readonly RecoveryPhase[] | undefined {
  const rto = metrics.rto_ms;
  if (metrics.rto_basis !== 'window' || typeof rto !== 'number' || !Number.isFinite(rto)) return undefined;
  if ((data.placement ?? 'primary') !== 'primary') return undefined;
  const plan = recoveryPhasesOf(data.sut)?.[kind];
  const injected = data.events.find((e): e is FaultEvent => e.kind === 'fault' && e.phase === 'injected');
  if (!plan || !injected) return undefined;
  const events = [...data.events].sort((a, b) => a.t - b.t);
  return splitRecovery(
    events,
    { faultAt: injected.t, faultNode: injected.node, recoveredAt: injected.t + rto },
    plan,
    timings,
  );
}

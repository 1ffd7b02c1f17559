import type { PhaseMilestone, PhasePrediction, TimingSettings } from '../observe/recovery-phase-plan.js';
import type { FaultKind } from './expectations.js';

export type { PhaseMilestone, TimingSettings } from '../observe/recovery-phase-plan.js';

/**
 * How a SUT recovers from each fault, as the milestones its timeline shows between the fault and
 * the first acknowledged write (lib/observe/split-recovery.ts cuts the recovery there), beside its
 * expectations and in the same shape: one plan per fault. A fault without a plan gets no phases
 * (the report says so); a milestone no event marks gives an `unknown` phase.
 */
export type RecoveryPhasePlans = Readonly<Partial<Record<FaultKind, readonly PhaseMilestone[]>>>;

/** A prediction from one setting, the phase's duration being that setting (a timer's length). */
export function settingPrediction(
  settings: TimingSettings,
  key: string,
  why: string,
): PhasePrediction | undefined {
  const s = settings[key];
  return s && { lowMs: s.ms, highMs: s.ms, source: `${why}: ${key} ${s.ms / 1000} s (${s.source})` };
}

import type { PhasePrediction } from './recovery-phase.js';
import type { TimelineEvent } from './timeline-events.js';

export type { PhasePrediction, RecoveryPhase } from './recovery-phase.js';

/**
 * The vocabulary of a recovery split into phases (docs/report.md "Recovery in phases"): a plan is
 * the list of milestones a SUT passes through between the fault and the first acknowledged write,
 * each found in the timeline's events, each ending one named phase. The plans themselves are the
 * SUTs' (lib/sut/recovery-phases.ts); the split is lib/observe/split-recovery.ts.
 */

/** A setting a phase's duration follows from, as the harness knew it at run time. */
export interface TimingSetting {
  readonly ms: number;
  /** Where the value came from: `kube.forceDeleteStuckPodAfter (the gluster driver's default)`. */
  readonly source: string;
}

/** By name: `ttl`, `loopWait`, `forceDeleteStuckPodAfter`, `tolerationSeconds`, `pingTimeout`, `hold`… */
export type TimingSettings = Readonly<Record<string, TimingSetting>>;

/** What a milestone is looked for in. */
export interface MilestoneContext {
  /** Ordered by t. */
  readonly events: readonly TimelineEvent[];
  /** The fault's 'injected' event. */
  readonly faultAt: number;
  /** The node the fault hit. */
  readonly faultNode: string;
  /** The success that closed the last unavailability window: faultAt + rto_ms. */
  readonly recoveredAt: number;
  /** Where the previous milestone was found (faultAt when none was): a milestone is looked for from there on. */
  readonly after: number;
}

export interface FoundMilestone {
  /** When the harness saw the event (the timeline's clock). */
  readonly t: number;
  /** The event that marks it, as the report shows it. */
  readonly evidence: string;
  /** Who did it, where the phase ends with an action: the pod's deletion (the harness, the taint manager, Stork). */
  readonly by?: string;
}

export interface PhaseMilestone {
  /** The phase it ends, as in the metric `phase_<name>_ms`. */
  readonly name: string;
  /** What happens in the phase, ending with the milestone: `detection: the fault's node turns NotReady`. */
  readonly title: string;
  /** The event in the timeline; undefined when none was recorded (the phase is then unknown). */
  find(ctx: MilestoneContext): FoundMilestone | undefined;
  /** The phase's duration from the settings, where they determine it. */
  predict?(settings: TimingSettings): PhasePrediction | undefined;
}

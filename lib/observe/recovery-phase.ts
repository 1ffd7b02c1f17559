/** A recovery's phases as a result holds them (lib/observe/split-recovery.ts makes them). */

/** What the settings say a phase should take: between `lowMs` and `highMs`, and why. */
export interface PhasePrediction {
  readonly lowMs: number;
  readonly highMs: number;
  readonly source: string;
}

/** One phase of one recovery, as a result holds it; times in ms since the fault was injected. */
export interface RecoveryPhase {
  /** A milestone's name, or `unknown` for a stretch whose milestones left no event. */
  readonly name: string;
  readonly title: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  /** The event ending it; absent for an unknown stretch. */
  readonly evidence?: string;
  readonly by?: string;
  /** Why a boundary is not where its event was seen (an event seen after a later one), or what is missing. */
  readonly note?: string;
  /** An unknown stretch: the phases it holds, with what was predicted for each. */
  readonly covers?: readonly {
    readonly name: string;
    readonly title: string;
    readonly predicted?: PhasePrediction;
  }[];
  readonly predicted?: PhasePrediction;
}

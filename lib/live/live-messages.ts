import type { RecoveryPhase } from '../observe/recovery-phase.js';
import type { TimelineEvent } from '../observe/timeline-events.js';

/**
 * What the live page is told, over Server-Sent Events. A page that connects (or reconnects) gets a
 * `snapshot` of the whole run so far, then the changes as they come. The page's script
 * (lib/live/page/) and the server (live-view.ts) share these types.
 */

/** One check as judged (the JUnit testcase's name and its message). */
export interface LiveCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
}

/** A scenario once judged: its checks, the figures the page shows and the recovery's phases. */
export interface LiveResult {
  readonly checks: readonly LiveCheck[];
  readonly metrics: Readonly<Record<string, number | string>>;
  readonly phases?: readonly RecoveryPhase[];
}

export interface LiveScenario {
  readonly id: number;
  /** The scenario as the terminal names it (placement and repetition included). */
  readonly title: string;
  readonly events: TimelineEvent[];
  result?: LiveResult;
}

/** A pause of `--step`: what comes next, waiting for "Next" (or Enter in the terminal). */
export interface LiveStep {
  readonly id: number;
  readonly explanation: string;
}

export interface LiveSnapshot {
  readonly title: string;
  readonly scenarios: readonly LiveScenario[];
  readonly step: LiveStep | null;
  readonly finished: LiveFinished | null;
}

/** The run's end: its exit and where the final report is (served at /report while the view is up). */
export interface LiveFinished {
  readonly exitCode: number;
  readonly reportPath: string;
  readonly reportUrl: string;
}

export type LiveMessage =
  | { readonly type: 'snapshot'; readonly snapshot: LiveSnapshot }
  | { readonly type: 'scenario'; readonly id: number; readonly title: string }
  | { readonly type: 'events'; readonly id: number; readonly events: readonly TimelineEvent[] }
  | { readonly type: 'result'; readonly id: number; readonly result: LiveResult }
  | { readonly type: 'step'; readonly step: LiveStep | null }
  | { readonly type: 'finished'; readonly finished: LiveFinished };

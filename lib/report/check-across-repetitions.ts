import type { ScenarioResult } from '../observe/timeline-events.js';
import { namedRepetitions, repetitionOf, type SuiteGroup } from './repetitions.js';

/** How one check fared over a scenario's repetitions. */
export interface CheckAcross {
  readonly name: string;
  /** passed in every repetition; failed in every one; flaky: failed in some, passed in others. */
  readonly state: 'passed' | 'failed' | 'flaky';
  /** Repetitions (1-based) where it failed or was not reached. */
  readonly failedIn: readonly number[];
  readonly passedIn: readonly number[];
  /** One line: the first failure's message, prefixed with which repetitions failed when there are several. */
  readonly message?: string;
  /** Sum over the repetitions. */
  readonly durationMs: number;
}

/** One repetition's verdict on a check; undefined: the repetition never reached it. */
export interface RepetitionVerdict {
  readonly repetition: number;
  readonly passed: boolean | undefined;
  readonly message?: string | undefined;
  readonly durationMs?: number;
}

/**
 * A check over repetitions. Failed somewhere and passed elsewhere is flaky: a failure whose message
 * starts with "flaky:", never a pass. One repetition keeps its own message unchanged.
 */
export function acrossRepetitions(name: string, verdicts: readonly RepetitionVerdict[]): CheckAcross {
  const failed = verdicts.filter((v) => v.passed !== true);
  const failedIn = failed.map((v) => v.repetition);
  const passedIn = verdicts.filter((v) => v.passed === true).map((v) => v.repetition);
  const durationMs = verdicts.reduce((s, v) => s + (v.durationMs ?? 0), 0);
  const first = failed[0];
  const why = first?.message ?? (first?.passed === undefined ? 'not reached' : 'failed (no detail recorded)');
  if (!first) return { name, state: 'passed', failedIn, passedIn, durationMs };
  const state = passedIn.length > 0 ? 'flaky' : 'failed';
  const message =
    verdicts.length === 1
      ? why
      : state === 'flaky'
        ? `flaky: failed in ${namedRepetitions(failedIn)} of ${verdicts.length} (passed in ${passedIn.join(', ')}); ${namedRepetitions([first.repetition])}: ${why}`
        : `failed in ${namedRepetitions(failedIn)} of ${verdicts.length}; ${namedRepetitions([first.repetition])}: ${why}`;
  return { name, state, failedIn, passedIn, message, durationMs };
}

/**
 * Every check of a scenario's repetitions, in the order the first repetition reported them. A
 * repetition that did not report a check (it stopped before) counts as failing it.
 */
export function checksAcross(results: readonly ScenarioResult[]): CheckAcross[] {
  const names = [...new Set(results.flatMap((r) => r.verdicts.map((v) => v.name)))];
  return names.map((name) =>
    acrossRepetitions(
      name,
      results.map((r) => {
        const v = r.verdicts.find((x) => x.name === name);
        return {
          repetition: repetitionOf(r),
          passed: v?.passed,
          message: v?.message,
          durationMs: v?.durationMs ?? 0,
        };
      }),
    ),
  );
}

/** A scenario's state over its repetitions: a check failing in some and passing in others is flaky, never a pass. */
export type GroupState = 'pass' | 'fail' | 'flaky';

export function groupState(g: SuiteGroup): GroupState {
  if (g.results.length === 0 || g.results.some((r) => r.verdicts.length === 0)) return 'fail';
  const states = checksAcross(g.results).map((c) => c.state);
  return states.includes('failed') ? 'fail' : states.includes('flaky') ? 'flaky' : 'pass';
}

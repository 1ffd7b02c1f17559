import type { ScenarioResult } from '../observe/timeline-events.js';
import { placedName, type Placement } from '../sut/placement.js';
import { suiteName } from './suite-name.js';

/**
 * `pxchaos run --repeat N` saves each repetition of a scenario as its own result and timeline. The
 * first keeps the name a single run has (`network-partition.result.json`, what scripts know); the
 * k-th is `network-partition.rep<k>.result.json`. Reports group them back by suite name.
 */
export function repetitionOf(r: Pick<ScenarioResult, 'repetition'>): number {
  return r.repetition ?? 1;
}

/** A result's file name without its suffix: `network-partition@replica.rep3`. */
export function resultBaseName(r: {
  readonly scenario: string;
  readonly placement?: string | undefined;
  readonly repetition?: number | undefined;
}): string {
  const k = r.repetition ?? 1;
  return `${placedName(r.scenario, r.placement as Placement | undefined)}${k > 1 ? `.rep${k}` : ''}`;
}

/** One scenario at one placement on one target/SUT, with its repetitions in order. */
export interface SuiteGroup {
  readonly name: string;
  readonly results: readonly ScenarioResult[];
}

/** Results grouped by suite name (first appearance first), each group ordered by repetition. */
export function groupBySuite(results: readonly ScenarioResult[]): SuiteGroup[] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of results) {
    const name = suiteName(r);
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return [...groups].map(([name, rs]) => ({
    name,
    results: [...rs].sort((a, b) => repetitionOf(a) - repetitionOf(b)),
  }));
}

/** `repetition 2`, `repetitions 2, 4` (the words a failure message and its reader share). */
export function namedRepetitions(list: readonly number[]): string {
  return `repetition${list.length === 1 ? '' : 's'} ${list.join(', ')}`;
}

/** The numbers named by namedRepetitions at the start of `text` (after an optional prefix), else undefined. */
export function parseNamedRepetitions(text: string): number[] | undefined {
  const m = /\brepetitions? (\d+(?:, \d+)*)\b/.exec(text);
  return m?.[1]?.split(', ').map(Number);
}

/** A result as the run's PASS/FAIL lines and the replay name it: `scenario@placement, repetition k`. */
export function resultTitle(r: Pick<ScenarioResult, 'scenario' | 'placement' | 'repetition'>): string {
  return `${placedName(r.scenario, r.placement as Placement | undefined)}${r.repetition === undefined ? '' : `, repetition ${r.repetition}`}`;
}

import type { Margins } from '../config/compare-margins.js';
import { formatDuration } from '../time/duration.js';
import { bootstrapMedianDifference, type Interval } from './stats/bootstrap.js';
import { canBeSignificant, mannWhitney, repetitionsNeeded, type MannWhitney } from './stats/mann-whitney.js';
import { median } from './stats/quantiles.js';

/** The significance level of `report compare`'s test: one false alarm in twenty unchanged figures at worst. */
export const ALPHA = 0.05;

/**
 * What the gate says of one figure: `same` (no significant shift, or one within the margins),
 * `improved` or `regressed` (a significant shift of the median beyond both margins), or
 * `inconclusive` (too few repetitions for the test to ever be significant).
 */
export type FigureVerdict = 'same' | 'improved' | 'regressed' | 'inconclusive';

export interface FigureJudgement {
  readonly verdict: FigureVerdict;
  /** The Mann–Whitney test, when the repetitions allow one. */
  readonly test?: MannWhitney;
  /** Bootstrap 95% interval of median(current) − median(baseline), when every value is finite. */
  readonly interval?: Interval;
  /** Inconclusive for too few repetitions: how many a side would make a difference detectable. */
  readonly needed?: number;
  /** Why, in words for the CI log. */
  readonly why: string;
}

/** Higher-is-worse figures the gate judges, with their absolute margin. */
export type JudgedKind = 'duration' | 'count' | 'strict';

/**
 * `after` worse than `before` by more than BOTH margins: the relative one and the absolute one of
 * its kind (strict figures have none). Tiny figures (80 ms → 120 ms is +50%) and noise on large ones
 * (60.0 s → 61.5 s) do not flap.
 */
export function beyondMargins(kind: JudgedKind, before: number, after: number, m: Margins): boolean {
  const delta = after - before;
  if (!(delta > 0)) return false;
  const absolute = kind === 'duration' ? m.ms : kind === 'count' ? m.count : 0;
  const relative = before === 0 ? Infinity : (delta / Math.abs(before)) * 100;
  return delta > absolute && relative > m.percent;
}

/** The margins in words: `50% and 5.0s`. */
export function marginWords(kind: JudgedKind, m: Margins): string {
  return kind === 'strict'
    ? 'no margin'
    : `margins ${m.percent}% and ${kind === 'duration' ? formatDuration(m.ms) : m.count}`;
}

/**
 * A duration or count over the repetitions of both runs: the Mann–Whitney U test (two-sided, α
 * 0.05) says whether the two samples differ at all, the shift of the medians against the margins
 * whether it matters. Too few repetitions is said as such, with the count needed, never a pass or
 * a fail.
 */
export function judgeFigure(
  kind: 'duration' | 'count',
  baseline: readonly number[],
  current: readonly number[],
  margins: Margins,
): FigureJudgement {
  const [m, n] = [baseline.length, current.length];
  if (!canBeSignificant(m, n, ALPHA)) {
    const needed = repetitionsNeeded(ALPHA);
    return {
      verdict: 'inconclusive',
      needed,
      why: `${m} vs ${n} repetitions: too few for a two-sided Mann–Whitney test at α ${ALPHA}; needs at least ${needed} vs ${needed}`,
    };
  }
  const test = mannWhitney(baseline, current);
  const interval = bootstrapMedianDifference(baseline, current);
  const found = { test, ...(interval && { interval }) };
  const p = `p ${formatP(test.p)}`;
  if (test.p > ALPHA) return { verdict: 'same', ...found, why: `no significant difference (${p})` };
  const [before, after] = [median(baseline), median(current)];
  if (beyondMargins(kind, before, after, margins))
    return {
      verdict: 'regressed',
      ...found,
      why: `significant (${p}), beyond the ${marginWords(kind, margins)}`,
    };
  if (beyondMargins(kind, after, before, margins))
    return {
      verdict: 'improved',
      ...found,
      why: `significant (${p}), beyond the ${marginWords(kind, margins)}`,
    };
  return {
    verdict: 'same',
    ...found,
    why: `significant (${p}) but within the ${marginWords(kind, margins)}`,
  };
}

/** A p-value for people: 0.008, 0.04, <0.001. */
export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toPrecision(2).replace(/^0\.0*$/, '0');
}

import { median, quantile, ascending } from './quantiles.js';
import { seededRandom } from './seeded-random.js';

/** A confidence interval of the shift current − baseline, in the figure's unit. */
export interface Interval {
  readonly low: number;
  readonly high: number;
  /** e.g. 0.95. */
  readonly level: number;
}

export interface BootstrapOptions {
  /** Same seed, same interval: a CI log never changes between two looks at the same runs. */
  readonly seed?: number;
  readonly resamples?: number;
  readonly level?: number;
}

/**
 * Percentile bootstrap of the difference of medians (current − baseline): each side resampled with
 * replacement, independently, `resamples` times. Undefined when a side is empty or holds a value
 * that is not finite (a never-recovered RTO: the difference of two infinities has no value).
 */
export function bootstrapMedianDifference(
  baseline: readonly number[],
  current: readonly number[],
  { seed = 1, resamples = 2000, level = 0.95 }: BootstrapOptions = {},
): Interval | undefined {
  if (baseline.length === 0 || current.length === 0) return undefined;
  if (![...baseline, ...current].every(Number.isFinite)) return undefined;
  const random = seededRandom(seed);
  const resample = (values: readonly number[]): number[] =>
    values.map(() => values[Math.floor(random() * values.length)] as number);
  const differences: number[] = [];
  for (let i = 0; i < resamples; i++)
    differences.push(median(resample(current)) - median(resample(baseline)));
  const sorted = ascending(differences);
  const tail = (1 - level) / 2;
  return { low: quantile(sorted, tail), high: quantile(sorted, 1 - tail), level };
}

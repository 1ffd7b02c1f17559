import type { ScenarioResult } from '../observe/timeline-events.js';
import { summarize, type Summary } from './stats/quantiles.js';

/** One measured figure over a scenario's repetitions. */
export interface FigureAcross {
  readonly metric: string;
  /** Per repetition, in order; undefined where that repetition did not measure it. */
  readonly values: readonly (number | string | undefined)[];
  /** Its numeric values (every repetition that measured a number). */
  readonly numbers: readonly number[];
  /** When every value measured is a number. */
  readonly summary?: Summary;
}

/** Every figure of the repetitions (in the order the first one reported them), with its spread. */
export function figuresAcross(results: readonly ScenarioResult[]): FigureAcross[] {
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  return metrics.map((metric) => {
    const values = results.map((r) => r.metrics[metric]);
    const measured = values.filter((v) => v !== undefined);
    const numbers = measured.filter((v): v is number => typeof v === 'number');
    return {
      metric,
      values,
      numbers,
      ...(numbers.length > 0 && numbers.length === measured.length && { summary: summarize(numbers) }),
    };
  });
}

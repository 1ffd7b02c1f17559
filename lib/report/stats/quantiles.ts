/**
 * Order statistics of a figure measured over repetitions. Quantiles interpolate linearly between
 * order statistics (Hyndman & Fan type 7: R's and NumPy's default), so a median of an even count is
 * the mean of the two middle values and a p90 of five repetitions lies between the 4th and 5th.
 */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of values sorted ascending; Infinity stays Infinity. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(at);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(sorted.length - 1, lo + 1)] as number;
  const frac = at - lo;
  // Interpolating towards an equal or infinite neighbour would give NaN (∞ − ∞) or a needless ∞ · 0.
  return frac === 0 || low === high ? low : low + (high - low) * frac;
}

export function median(values: readonly number[]): number {
  return quantile(ascending(values), 0.5);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = ascending(values);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), two-sided: is one sample shifted against the other?
 * It asks nothing of the figures' distribution (an RTO is not normal), only their order. Exact
 * p-values for small samples without ties; otherwise the normal approximation with the tie
 * correction and a continuity correction, as R's wilcox.test(correct = TRUE) and SciPy's
 * mannwhitneyu(method = 'asymptotic') compute it.
 */
export interface MannWhitney {
  /** U of `current`: pairs (baseline b, current c) with c > b, ties counting one half. */
  readonly u: number;
  /** Two-sided p-value. */
  readonly p: number;
  readonly method: 'exact' | 'normal';
}

/** Below this many values on each side, without ties, the exact distribution is used (R's bound). */
const EXACT_BELOW = 50;

export function mannWhitney(baseline: readonly number[], current: readonly number[]): MannWhitney {
  const m = baseline.length;
  const n = current.length;
  if (m === 0 || n === 0) throw new Error('mannWhitney needs at least one value on each side');
  let u = 0;
  for (const c of current) for (const b of baseline) u += c > b ? 1 : c === b ? 0.5 : 0;
  const ties = tieGroups([...baseline, ...current]);
  if (ties.length === 0 && m < EXACT_BELOW && n < EXACT_BELOW) {
    const dist = exactDistribution(n, m);
    let below = 0;
    for (let k = 0; k <= u; k++) below += dist[k] ?? 0;
    let above = 0;
    for (let k = u; k < dist.length; k++) above += dist[k] ?? 0;
    return { u, p: Math.min(1, 2 * Math.min(below, above)), method: 'exact' };
  }
  const total = m + n;
  const tieTerm = ties.reduce((s, t) => s + (t * t * t - t), 0) / (total * (total - 1));
  const sigma = Math.sqrt(((m * n) / 12) * (total + 1 - tieTerm));
  // Every value tied: no order at all, so no evidence of a shift.
  if (sigma === 0) return { u, p: 1, method: 'normal' };
  const shift = u - (m * n) / 2;
  const z = (shift - Math.sign(shift) * 0.5) / sigma;
  return { u, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))), method: 'normal' };
}

/**
 * The smallest two-sided p-value m against n values can give (every value of one side above every
 * value of the other, no ties): 2 / C(m + n, m). Below α no outcome can be significant.
 */
export function smallestP(m: number, n: number): number {
  let combinations = 1;
  for (let i = 1; i <= Math.min(m, n); i++) combinations = (combinations * (Math.max(m, n) + i)) / i;
  return Math.min(1, 2 / combinations);
}

/** Whether m against n values can ever be significant at α. */
export function canBeSignificant(m: number, n: number, alpha: number): boolean {
  return m > 0 && n > 0 && smallestP(m, n) <= alpha;
}

/** The fewest repetitions per side (k against k) with which a difference can be significant at α. */
export function repetitionsNeeded(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
  let k = 1;
  while (!canBeSignificant(k, k, alpha)) k++;
  return k;
}

/** Sizes (≥ 2) of the groups of equal values. */
function tieGroups(values: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

/**
 * P(U = u) for u = 0 … x·y, U counting pairs where one of x values beats one of y values, under
 * the null hypothesis. The largest of all x + y values is one of the x with probability x/(x+y) and
 * then beats every y: P_{x,y}(u) = x/(x+y) · P_{x−1,y}(u − y) + y/(x+y) · P_{x,y−1}(u).
 */
function exactDistribution(x: number, y: number): Float64Array {
  // row[j] holds P_{i,j} for the current i; starts at i = 0 (U is 0 whatever j).
  let row: Float64Array[] = Array.from({ length: y + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= x; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= y; j++) {
      const dist = new Float64Array(i * j + 1);
      const fromX = row[j] as Float64Array; // P_{i−1,j}
      const fromY = next[j - 1] as Float64Array; // P_{i,j−1}
      const px = i / (i + j);
      for (let k = 0; k < fromX.length; k++) dist[k + j] = (dist[k + j] ?? 0) + px * (fromX[k] ?? 0);
      for (let k = 0; k < fromY.length; k++) dist[k] = (dist[k] ?? 0) + (1 - px) * (fromY[k] ?? 0);
      next.push(dist);
    }
    row = next;
  }
  return row[y] as Float64Array;
}

/** P(Z > z) for a standard normal Z: erfc(z/√2)/2, erfc to a relative error below 1.2e-7. */
function normalUpperTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

/** Complementary error function (Numerical Recipes' erfcc, a Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

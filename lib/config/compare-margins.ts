/** `report compare`'s margins: how much worse a metric may be before it is a regression. */
export interface Margins {
  /** Relative margin, percent of the baseline. */
  readonly percent: number;
  /** Absolute margin for durations (`*_ms`). */
  readonly ms: number;
  /** Absolute margin for counts of failed/unknown writes. */
  readonly count: number;
}

/**
 * The practical size of a regression, once the rank test has said the repetitions really differ
 * (lib/report/figure-gate.ts): noise is the test's business, so the relative margin only keeps a
 * significant but small shift (+3 s on 60 s) from failing a gate. 20%: Patroni's ttl raised from
 * 20 s to 30 s (a real, deliberate slowdown) moved the lab partition's RTO median +34% (28.7 → 38.4 s,
 * p 0.029 over 4 vs 4), which 50% let through. The absolute margins keep tiny figures from flapping.
 */
export const DEFAULT_MARGINS: Margins = { percent: 20, ms: 5000, count: 20 };

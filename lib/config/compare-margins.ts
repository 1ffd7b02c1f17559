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
 * Defaults sized to the run-to-run spread measured on the lab: the partition's RTO moves between
 * 22.7 and 28.5 s (+25%) depending on which node leads etcd, and a 0.6 s drive failover can take
 * 2.2 s; the failed-write count follows the outage (20 writes/s). Tighter margins flag noise.
 */
export const DEFAULT_MARGINS: Margins = { percent: 50, ms: 5000, count: 20 };

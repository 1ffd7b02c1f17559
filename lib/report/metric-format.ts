import { formatDuration } from '../time/duration.js';

/** A metric for people: `*_ms` as a duration (18.3s), counts with separators, strings as they are. */
export function formatMetric(key: string, value: number | string): string {
  if (typeof value === 'string') return value;
  // rto_ms is Infinity when the SUT never recovered within the observation.
  if (!Number.isFinite(value)) return value > 0 ? '∞' : String(value);
  if (key.endsWith('_ms')) return formatDuration(value);
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Math.round(value * 1000) / 1000);
}

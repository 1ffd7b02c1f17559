import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * The longest delay Node's timers hold (2^31 − 1 ms, ~24.8 days): a longer `setTimeout` fires after
 * ~1 ms with a TimeoutOverflowWarning, which healed a `--for 597h` fault at once. No parsed duration
 * may exceed it, whatever its own maximum.
 */
export const TIMER_MAX_MS = 2_147_483_647;

/** Per-option maxima (docs/run-safety.md lists them): each well under TIMER_MAX_MS. */
export const MAX = {
  /** `pxchaos inject --for`: a fault by hand lasts a working day at most. */
  injectFor: 24 * 3_600_000,
  /** Default for a config duration without its own maximum. */
  config: 24 * 3_600_000,
  /** How long a scenario holds its fault, or waits for recovery (`hold`, `recoveryWithin`). */
  scenario: 3_600_000,
  /** Patroni and Kubernetes timers (`ttl`, `--node-monitor-grace-period`, …). */
  clusterTimer: 3_600_000,
} as const;

/** A well-formed duration above its maximum. */
export class DurationTooLongError extends UsageError {}

export interface DurationLimits {
  /** Largest accepted value in ms (default TIMER_MAX_MS; never above it). */
  readonly maxMs?: number;
}

/**
 * Parses a duration with a unit ("250ms", "90s", "10m", "1.5h") into milliseconds.
 * Bare numbers are refused on purpose: config and CLI durations always carry a unit. A value
 * above `maxMs` is refused in one line naming the maximum.
 */
export function parseDuration(text: string, what = 'duration', limits: DurationLimits = {}): number {
  const parts = text.trim().split(/(?<=[a-z])(?=\d)/);
  let total = 0;
  for (const part of parts) {
    const m = DURATION.exec(part);
    const unit = m?.[2];
    if (!m || unit === undefined) {
      throw new UsageError(
        `${what}: '${text}' is not a duration; expected a number with a unit, e.g. 500ms, 30s, 10m, 1h30m`,
      );
    }
    total += Number(m[1]) * (UNIT_MS[unit] ?? 0);
  }
  const max = Math.min(limits.maxMs ?? TIMER_MAX_MS, TIMER_MAX_MS);
  if (!(total <= max))
    throw new DurationTooLongError(`${what}: '${text}' is longer than the maximum of ${formatLimit(max)}`);
  return Math.round(total);
}

/** A maximum as the user would write it: 24h, 1h, 10m, or ms when nothing rounder fits. */
export function formatLimit(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Milliseconds as a short human string: 850ms, 12.3s, 4m05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) < 1000) return `${Math.round(ms)}ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalS = Math.round(ms / 1000);
  const m = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${m}m${String(s).padStart(2, '0')}s`;
}

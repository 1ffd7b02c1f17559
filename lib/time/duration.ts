import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Parses a duration with a unit ("250ms", "90s", "10m", "1.5h") into milliseconds.
 * Bare numbers are refused on purpose: config and CLI durations always carry a unit.
 */
export function parseDuration(text: string, what = 'duration'): number {
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
  return Math.round(total);
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

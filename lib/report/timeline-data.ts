import type { TimelineEvent } from '../observe/timeline-events.js';

/** A saved timeline as the reports need it: the events in `t` order plus a little metadata. */
export interface TimelineData {
  readonly events: readonly TimelineEvent[];
  /** Wall-clock epoch ms of t = 0, when it can be known. */
  readonly startWall?: number;
}

const KINDS = new Set(['fault', 'probe', 'write', 'platform', 'step']);

function isEvent(value: unknown): value is TimelineEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as { kind?: unknown; t?: unknown };
  return typeof e.kind === 'string' && KINDS.has(e.kind) && typeof e.t === 'number' && Number.isFinite(e.t);
}

function wallFrom(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Accepts the timeline file loosely (a bare event array, or an object with `events` and any
 * metadata) so the reports keep working while the recorder's format evolves. Entries that are
 * not recognisable events are skipped rather than failing the whole report.
 */
export function parseTimeline(json: unknown): TimelineData {
  const record =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  const list: unknown = Array.isArray(json) ? json : record.events;
  const events = (Array.isArray(list) ? list : []).filter(isEvent).sort((a, b) => a.t - b.t);
  const declared = wallFrom(record.startWall) ?? wallFrom(record.startedAt) ?? wallFrom(record.start);
  const first = events.find((e) => typeof e.wall === 'number');
  const startWall = declared ?? (first ? first.wall - first.t : undefined);
  return startWall === undefined ? { events } : { events, startWall };
}

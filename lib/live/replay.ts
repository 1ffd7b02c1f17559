import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import type { TimelineEvent } from '../observe/timeline-events.js';
import { resultTitle } from '../report/repetitions.js';
import { readResults, readTimelineJson, type StoredResult } from '../report/read-results.js';
import { parseTimeline } from '../report/timeline-data.js';
import { stepGate } from '../scenario/step-gate.js';
import { liveResult } from './live-result.js';
import type { LiveView } from './live-view.js';

export interface ReplayOptions {
  /** Times faster than real time (1: as it happened). */
  readonly speed: number;
  /** Pause before each fault until "Next" (or Enter). */
  readonly step: boolean;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

export interface Recorded {
  readonly stored: StoredResult;
  readonly events: readonly TimelineEvent[];
}

/** `--speed`'s value, or one line saying what it wants (exit 2). */
export function replaySpeed(text: string): number {
  const speed = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(speed > 0 && speed <= 1000))
    throw new UsageError(`--speed: expected a number above 0 and up to 1000 (1: real time), got '${text}'`);
  return speed;
}

/** A saved run's scenarios with their events, in the order they ran; bad input is one line, exit 2. */
export async function readRecordedRun(dir: string): Promise<Recorded[]> {
  const stored = await readResults(dir);
  if (stored.length === 0) throw new UsageError(`${dir}: no scenario results (*.result.json) to replay`);
  const recorded: Recorded[] = [];
  for (const s of stored) {
    const json = await readTimelineJson(s.timelinePath);
    if (json === undefined) throw new UsageError(`${s.timelinePath}: missing (the timeline of ${s.file})`);
    recorded.push({ stored: s, events: parseTimeline(json).events });
  }
  return recorded;
}

/**
 * Plays each scenario's events into `view` at their recorded pace divided by `speed`, its checks
 * once its events are out. With `step`, pauses before each fault's first event.
 */
export async function replayRun(
  view: LiveView,
  run: readonly Recorded[],
  options: ReplayOptions,
): Promise<void> {
  const { speed, signal, say } = options;
  for (const { stored, events } of run) {
    const title = resultTitle(stored.result);
    say(`replaying ${title} (${events.length} events)`);
    const id = view.beginScenario(title);
    const first = events[0]?.t ?? 0;
    let started = performance.now();
    let paused = false;
    for (const e of events) {
      if (options.step && !paused && e.kind === 'fault') {
        paused = true;
        const before = performance.now();
        await stepGate(true, `Next: ${e.fault} on ${e.node}.`, { signal, view });
        started += performance.now() - before;
      }
      const due = started + (e.t - first) / speed - performance.now();
      if (due > 0) await sleep(due, undefined, { signal });
      view.event(id, e);
    }
    view.result(id, liveResult(stored.result));
  }
}

import type { TimelineEvent } from '../observe/timeline-events.js';
import { redact } from '../report/redact.js';
import type {
  LiveFinished,
  LiveMessage,
  LiveResult,
  LiveScenario,
  LiveSnapshot,
  LiveStep,
} from './live-messages.js';

/** Events are sent in batches this often: prompt (the page's goal is 500 ms) and cheap. */
export const FLUSH_MS = 100;

/** Every string in `value` redacted (an error message may carry a connection string). */
function redacted<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redacted) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v)])) as T;
  return value;
}

/**
 * The state of a run (or a replay) as the live page shows it, and the pages watching it. Scenarios,
 * their events, their checks once judged, the `--step` pause and the end; each page gets the whole
 * state when it connects, then each change. Events go out in batches every FLUSH_MS.
 */
export class LiveView {
  private readonly scenarios: LiveScenario[] = [];
  private readonly pages = new Set<(message: string) => void>();
  private readonly pending = new Map<number, TimelineEvent[]>();
  private flushTimer: NodeJS.Timeout | undefined;
  private step: LiveStep | null = null;
  private release: (() => void) | undefined;
  private stepCount = 0;
  private finished: LiveFinished | null = null;

  constructor(readonly title: string) {}

  /** A page connected: it gets the whole state now, then every change until the returned function is called. */
  subscribe(send: (message: string) => void): () => void {
    this.flush();
    this.pages.add(send);
    send(encode({ type: 'snapshot', snapshot: this.snapshot() }));
    return () => this.pages.delete(send);
  }

  get pageCount(): number {
    return this.pages.size;
  }

  snapshot(): LiveSnapshot {
    return { title: this.title, scenarios: this.scenarios, step: this.step, finished: this.finished };
  }

  /** A scenario begins; returns its id for `event` and `result`. */
  beginScenario(title: string): number {
    const id = this.scenarios.length;
    this.scenarios.push({ id, title, events: [] });
    this.broadcast({ type: 'scenario', id, title });
    return id;
  }

  event(id: number, event: TimelineEvent): void {
    const scenario = this.scenarios[id];
    if (!scenario) return;
    const clean = redacted(event);
    scenario.events.push(clean);
    const batch = this.pending.get(id);
    if (batch) batch.push(clean);
    else this.pending.set(id, [clean]);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  result(id: number, result: LiveResult): void {
    const scenario = this.scenarios[id];
    if (!scenario) return;
    scenario.result = redacted(result);
    this.broadcast({ type: 'result', id, result: scenario.result });
  }

  /**
   * `--step` on the page: shows what comes next and resolves when "Next" is pressed, `released`
   * resolves (Enter in the terminal) or `signal` aborts — whichever comes first. Never call it where
   * the run must not wait (a scheduled heal).
   */
  async waitForNext(explanation: string, released?: Promise<void>, signal?: AbortSignal): Promise<void> {
    this.stepCount += 1;
    this.step = { id: this.stepCount, explanation: redact(explanation) };
    this.broadcast({ type: 'step', step: this.step });
    const aborted = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    const pressed = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    try {
      await Promise.race([pressed, aborted, ...(released ? [released] : [])]);
    } finally {
      this.release = undefined;
      this.step = null;
      this.broadcast({ type: 'step', step: null });
    }
  }

  /** "Next" pressed: releases the step waiting, if any (false: none was). */
  next(): boolean {
    if (!this.release) return false;
    this.release();
    return true;
  }

  finish(finished: LiveFinished): void {
    this.finished = finished;
    this.broadcast({ type: 'finished', finished });
  }

  /** Sends the events recorded since the last batch. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [id, events] of batches) this.send({ type: 'events', id, events });
  }

  private broadcast(message: LiveMessage): void {
    // Events recorded before this change reach the page before it.
    this.flush();
    this.send(message);
  }

  private send(message: LiveMessage): void {
    if (this.pages.size === 0) return;
    const text = encode(message);
    for (const page of this.pages) page(text);
  }
}

/** One Server-Sent Event (JSON has no raw newline, so one `data:` line). */
function encode(message: LiveMessage): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}

import type { RunFingerprint } from './run-fingerprint.js';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LedgerReadBack } from './ledger-check.js';
import type { TimelineEvent } from './timeline-events.js';

/** Time sources, injectable so tests can script a clock (including wall-clock jumps). */
export interface Clock {
  /** Monotonic milliseconds from an arbitrary origin (performance.now). */
  monotonic(): number;
  /** Epoch milliseconds (Date.now), display only. */
  wall(): number;
}

export const systemClock: Clock = { monotonic: () => performance.now(), wall: () => Date.now() };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as handed to record(): `t` defaults to now (pass it for an op recorded after it finished). */
export type NewTimelineEvent = DistributiveOmit<TimelineEvent, 't' | 'wall'> & { readonly t?: number };

/** What workload parts need from a timeline: its clock and a place to put events. */
export interface TimelineSink {
  /** Milliseconds since the scenario started (monotonic). */
  now(): number;
  record(event: NewTimelineEvent): TimelineEvent;
}

/** Values measured outside the event stream, saved with it so metrics can be recomputed from the file. */
export interface TimelineMeasurements {
  /** Flat figures: rows_before, rows_after, primary_before, primary_after, ... copied into the metrics. */
  readonly values: Readonly<Record<string, number | string>>;
  readonly ledger?: LedgerReadBack;
  /** What the flow established besides the events, so that its verdicts are recomputable from this file. */
  readonly flow?: FlowRecord;
}

/**
 * The flow's own facts for the checks (lib/scenario/flow-facts.ts gives them their shape: the
 * expectation with its source, whether the fault was verified, health after the heal, leftovers,
 * outside faults), why it stopped early, an interruption, and how long it took.
 */
export interface FlowRecord {
  readonly facts: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly interrupted?: { readonly reason: string; readonly phase: string };
  readonly durationMs: number;
}

export interface TimelineMeta {
  readonly scenario: string;
  readonly target: string;
  readonly sut: string;
  /** Where the fault went (lib/sut/placement.ts); absent in timelines from before placements: primary. */
  readonly placement?: string;
  /** Which of a `--repeat N` run's repetitions (1-based); absent when the scenario ran once. */
  readonly repetition?: number;
  /** What it ran on (run-fingerprint.ts); absent in timelines from before fingerprints. */
  readonly fingerprint?: RunFingerprint;
}

export const TIMELINE_FORMAT = 'pxchaos-timeline';
export const TIMELINE_VERSION = 1;

/** The saved form of one scenario's timeline. */
export interface TimelineData extends TimelineMeta {
  readonly format: typeof TIMELINE_FORMAT;
  readonly version: typeof TIMELINE_VERSION;
  /** ISO wall-clock time of t = 0. */
  readonly startedAt: string;
  /** Ordered by t. */
  readonly events: readonly TimelineEvent[];
  readonly measurements: TimelineMeasurements;
}

/**
 * The scenario's recorder. Events may be recorded late with an earlier `t` (a write is recorded
 * when its outcome is known, stamped with its send time); `events` is always ordered by `t`,
 * ties kept in recording order.
 */
export class Timeline implements TimelineSink {
  readonly startWall: number;
  private readonly origin: number;
  private readonly clock: Clock;
  private readonly list: TimelineEvent[] = [];
  private readonly listeners = new Set<(event: TimelineEvent) => void>();

  constructor(options: { readonly clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.origin = this.clock.monotonic();
    this.startWall = this.clock.wall();
  }

  now(): number {
    return this.clock.monotonic() - this.origin;
  }

  record(event: NewTimelineEvent): TimelineEvent {
    const now = this.now();
    const t = event.t ?? now;
    // wall is the reading of the wall clock at t, derived from the current reading.
    const full = { ...event, t, wall: this.clock.wall() - (now - t) } as TimelineEvent;
    let i = this.list.length;
    while (i > 0 && (this.list[i - 1]?.t ?? 0) > t) i--;
    this.list.splice(i, 0, full);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // a broken listener (a live display) must not lose the measurement
      }
    }
    return full;
  }

  get events(): readonly TimelineEvent[] {
    return this.list;
  }

  /** Calls listener for every event recorded from now on; returns the unsubscribe function. */
  subscribe(listener: (event: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  toData(meta: TimelineMeta, measurements: TimelineMeasurements = { values: {} }): TimelineData {
    return {
      format: TIMELINE_FORMAT,
      version: TIMELINE_VERSION,
      scenario: meta.scenario,
      target: meta.target,
      sut: meta.sut,
      ...(meta.placement !== undefined && { placement: meta.placement }),
      ...(meta.repetition !== undefined && { repetition: meta.repetition }),
      ...(meta.fingerprint !== undefined && { fingerprint: meta.fingerprint }),
      startedAt: new Date(this.startWall).toISOString(),
      events: [...this.list],
      measurements,
    };
  }
}

/** JSON has no Infinity/NaN: keep them readable instead of turning into null. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Writes the timeline as JSON, one event per line, atomically (temp file + rename). */
export async function saveTimeline(file: string, data: TimelineData): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const { events, ...header } = data;
  const head = JSON.stringify(header, replacer, 2).replace(/\n}$/, '');
  const body = events.map((e) => `    ${JSON.stringify(e, replacer)}`).join(',\n');
  const text = `${head},\n  "events": [\n${body}${events.length ? '\n' : ''}  ]\n}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

const base = { t: z.number(), wall: z.number() };
const eventSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    ...base,
    kind: z.literal('fault'),
    phase: z.string(),
    fault: z.string(),
    node: z.string(),
  }),
  z.looseObject({ ...base, kind: z.literal('probe'), ok: z.boolean(), latencyMs: z.number() }),
  z.looseObject({
    ...base,
    kind: z.literal('write'),
    id: z.number(),
    outcome: z.enum(['acked', 'failed', 'unknown']),
    latencyMs: z.number(),
  }),
  z.looseObject({ ...base, kind: z.literal('platform'), event: z.string() }),
  z.looseObject({ ...base, kind: z.literal('step'), name: z.string() }),
]);
const range = z.tuple([z.number(), z.number()]);
const fileSchema = z.object({
  format: z.literal(TIMELINE_FORMAT),
  version: z.literal(TIMELINE_VERSION),
  scenario: z.string(),
  target: z.string(),
  sut: z.string(),
  placement: z.string().optional(),
  repetition: z.number().int().min(1).optional(),
  fingerprint: z.record(z.string(), z.string()).optional(),
  startedAt: z.string(),
  events: z.array(eventSchema),
  measurements: z.object({
    values: z.record(z.string(), z.union([z.number(), z.string()])),
    ledger: z
      .object({
        table: z.string(),
        run: z.string(),
        t: z.number(),
        server: z.string(),
        present: z.array(range),
        duplicates: z.array(z.number()),
        rows: z.number(),
        contents: z.array(z.tuple([z.number(), z.string()])).optional(),
      })
      .optional(),
    flow: z
      .object({
        facts: z.record(z.string(), z.unknown()),
        error: z.string().optional(),
        interrupted: z.object({ reason: z.string(), phase: z.string() }).optional(),
        durationMs: z.number(),
      })
      .optional(),
  }),
});

/** Reads a saved timeline; throws with the file name and the first schema problem if it is not one. */
export async function loadTimeline(file: string): Promise<TimelineData> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a readable timeline: ${(err as Error).message}`, { cause: err });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file}: not a pxchaos timeline v${TIMELINE_VERSION}: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const data = parsed.data as unknown as TimelineData;
  return { ...data, events: [...data.events].sort((a, b) => a.t - b.t) };
}

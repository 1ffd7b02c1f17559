import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { ScenarioResult } from '../observe/timeline-events.js';
import { repetitionOf } from './repetitions.js';

export const RESULT_SUFFIX = '.result.json';
export const TIMELINE_SUFFIX = '.timeline.json';

const prediction = z.object({ lowMs: z.number(), highMs: z.number(), source: z.string() });
const phaseSchema = z.object({
  name: z.string(),
  title: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  durationMs: z.number(),
  evidence: z.string().optional(),
  by: z.string().optional(),
  note: z.string().optional(),
  covers: z
    .array(z.object({ name: z.string(), title: z.string(), predicted: prediction.optional() }))
    .optional(),
  predicted: prediction.optional(),
});

const resultSchema = z.object({
  scenario: z.string().min(1),
  target: z.string(),
  sut: z.string(),
  placement: z.string().optional(),
  repetition: z.number().int().min(1).optional(),
  fingerprint: z.record(z.string(), z.string()).optional(),
  startedAt: z.string(),
  durationMs: z.number(),
  // JSON has no Infinity: a writer's replacer may spell it as a string, plain JSON.stringify as null.
  metrics: z.record(
    z.string(),
    z
      .union([z.number(), z.string(), z.null()])
      .transform((v) =>
        v === null ? 'n/a' : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
      ),
  ),
  verdicts: z.array(
    z.object({
      name: z.string(),
      passed: z.boolean(),
      message: z.string().optional(),
      durationMs: z.number(),
    }),
  ),
  timelineFile: z.string().optional(),
  phases: z.array(phaseSchema).optional(),
});

/** One saved scenario result and where its timeline should be. */
export interface StoredResult {
  readonly result: ScenarioResult;
  readonly file: string;
  readonly timelinePath: string;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** Every `*.result.json` in a report directory, oldest scenario first (repetitions in order). */
export async function readResults(dir: string): Promise<StoredResult[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `report directory not found: ${dir}`
        : `cannot read ${dir}: ${(err as Error).message}`,
    );
  }
  const stored: StoredResult[] = [];
  for (const name of names.filter((n) => n.endsWith(RESULT_SUFFIX)).sort()) {
    const file = path.join(dir, name);
    const parsed = resultSchema.safeParse(await readJson(file));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(top level)';
      throw new UsageError(`${file}: not a scenario result: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    const result = parsed.data as ScenarioResult;
    const timelineName = result.timelineFile ?? `${name.slice(0, -RESULT_SUFFIX.length)}${TIMELINE_SUFFIX}`;
    stored.push({ result, file, timelinePath: path.resolve(dir, timelineName) });
  }
  return stored.sort(
    (a, b) =>
      a.result.startedAt.localeCompare(b.result.startedAt) ||
      a.result.scenario.localeCompare(b.result.scenario) ||
      repetitionOf(a.result) - repetitionOf(b.result),
  );
}

/** The saved timeline JSON, or undefined when it was not written (the report then says so). */
export async function readTimelineJson(file: string): Promise<unknown> {
  try {
    return await readJson(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

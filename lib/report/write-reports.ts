import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioResult } from '../observe/timeline-events.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { readResults, readTimelineJson } from './read-results.js';
import { resultBaseName } from './repetitions.js';

/** The run-wide reports, rebuilt after every run in the report directory. */
export const JUNIT_FILE = 'junit.xml';
export const HTML_FILE = 'report.html';

export interface WrittenReports {
  /** Absolute path of junit.xml. */
  readonly junit: string;
  /** Absolute path of report.html. */
  readonly html: string;
  readonly results: ScenarioResult[];
}

/**
 * Reads every `<scenario>.result.json` (and its `<scenario>.timeline.json`) in `reportDir` and
 * writes `junit.xml` and `report.html` next to them. Reports are recomputed from the saved
 * files, so they can be regenerated later (`pxchaos report render DIR`).
 */
export async function writeReports(reportDir: string): Promise<WrittenReports> {
  const dir = path.resolve(reportDir);
  const stored = await readResults(dir);
  const results = stored.map((s) => s.result);
  const timelines = new Map<string, unknown>();
  for (const s of stored) {
    const timeline = await readTimelineJson(s.timelinePath);
    if (timeline !== undefined) timelines.set(resultBaseName(s.result), timeline);
  }
  const junit = path.join(dir, JUNIT_FILE);
  const html = path.join(dir, HTML_FILE);
  await writeFile(junit, renderJunit(results));
  await writeFile(html, renderHtml(results, timelines));
  return { junit, html, results };
}

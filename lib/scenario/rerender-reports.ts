import { access } from 'node:fs/promises';
import path from 'node:path';
import { loadTimeline } from '../observe/timeline.js';
import { readResults } from '../report/read-results.js';
import { writeReports, type WrittenReports } from '../report/write-reports.js';
import { saveResult } from './scenario-files.js';
import { verdictsFromRecord } from './verdicts-from-record.js';

export interface Rerendered extends WrittenReports {
  /** Results recomputed from their timelines. */
  readonly recomputed: number;
  /** Results kept as saved, each with why (no timeline, or one without the flow's facts). */
  readonly kept: readonly string[];
}

/**
 * `pxchaos report render DIR`: every scenario's metrics and checks recomputed from its saved timeline
 * alone (events, measurements, the flow's facts), its result.json rewritten, then junit.xml and
 * report.html. A result without a usable timeline keeps its saved verdicts, and is named.
 */
export async function rerenderReports(reportDir: string): Promise<Rerendered> {
  const dir = path.resolve(reportDir);
  let recomputed = 0;
  const kept: string[] = [];
  for (const stored of await readResults(dir)) {
    const name = path.basename(stored.file);
    if (!(await exists(stored.timelinePath))) {
      kept.push(`${name}: no timeline`);
      continue;
    }
    const data = await loadTimeline(stored.timelinePath);
    const judged = verdictsFromRecord(data);
    if (!judged) {
      kept.push(`${name}: its timeline holds no facts of the flow (an older harness)`);
      continue;
    }
    await saveResult(dir, data, judged);
    recomputed++;
  }
  return { ...(await writeReports(dir)), recomputed, kept };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

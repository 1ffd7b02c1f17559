import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { saveTimeline, type TimelineData } from '../observe/timeline.js';
import type { ScenarioResult } from '../observe/timeline-events.js';
import { verdictsFromRecord, type Judged } from './verdicts-from-record.js';
import type { Placement } from '../sut/placement.js';
import { resultBaseName } from '../report/repetitions.js';
import { RESULT_SUFFIX, TIMELINE_SUFFIX } from '../report/read-results.js';
import { HTML_FILE, JUNIT_FILE } from '../report/write-reports.js';

/**
 * `network-partition` for the primary placement (the name scripts know), `network-partition@replica`
 * otherwise; a repetition after the first of `--repeat N` adds `.rep<k>`.
 */
export function scenarioFileBase(data: Pick<TimelineData, 'scenario' | 'placement' | 'repetition'>): string {
  return resultBaseName(data);
}

/** Every file a run of these scenarios and placements, each `repeat` times, writes in its report directory. */
export function runReportFiles(
  scenarios: readonly string[],
  placements: readonly Placement[],
  repeat = 1,
): string[] {
  const repetitions = Array.from({ length: repeat }, (_, i) => (repeat > 1 ? i + 1 : undefined));
  const perScenario = scenarios.flatMap((scenario) =>
    placements.flatMap((placement) =>
      repetitions.flatMap((repetition) => {
        const base = resultBaseName({ scenario, placement, repetition });
        return [`${base}${TIMELINE_SUFFIX}`, `${base}${RESULT_SUFFIX}`, `${base}${RESULT_SUFFIX}.tmp`];
      }),
    ),
  );
  return [JUNIT_FILE, HTML_FILE, ...perScenario];
}

/**
 * Saves a scenario's record (the timeline with the flow's facts), judges it from that record alone
 * (verdicts-from-record.ts, as `pxchaos report render` does later) and saves the result next to it.
 */
export async function saveJudged(
  reportDir: string,
  data: TimelineData,
): Promise<{ readonly result: ScenarioResult; readonly judged: Judged }> {
  const judged = verdictsFromRecord(data);
  if (!judged) throw new Error('saveJudged: the timeline has no flow record');
  await mkdir(reportDir, { recursive: true });
  await saveTimeline(path.join(reportDir, `${scenarioFileBase(data)}${TIMELINE_SUFFIX}`), data);
  return { result: await saveResult(reportDir, data, judged), judged };
}

/** Writes `<scenario>.result.json` (atomically) for a timeline already saved beside it. */
export async function saveResult(
  reportDir: string,
  data: TimelineData,
  judged: Judged,
): Promise<ScenarioResult> {
  // Placements of one scenario must not overwrite each other's files; primary keeps the bare name.
  const base = scenarioFileBase(data);
  const result: ScenarioResult = {
    scenario: data.scenario,
    target: data.target,
    sut: data.sut,
    ...(data.placement !== undefined && { placement: data.placement }),
    ...(data.repetition !== undefined && { repetition: data.repetition }),
    ...(data.fingerprint !== undefined && { fingerprint: data.fingerprint }),
    startedAt: data.startedAt,
    durationMs: Math.round(judged.durationMs),
    metrics: judged.metrics,
    verdicts: judged.checks.map((c) => c.verdict),
    ...(judged.phases && { phases: judged.phases }),
    timelineFile: `${base}${TIMELINE_SUFFIX}`,
  };
  const file = path.join(reportDir, `${base}${RESULT_SUFFIX}`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return result;
}

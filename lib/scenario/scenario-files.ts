import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Metrics } from '../observe/metrics.js';
import { saveTimeline, type TimelineData } from '../observe/timeline.js';
import type { ScenarioResult, Verdict } from '../observe/timeline-events.js';
import { placedName, type Placement } from '../sut/placement.js';
import { RESULT_SUFFIX, TIMELINE_SUFFIX } from '../report/read-results.js';
import { HTML_FILE, JUNIT_FILE } from '../report/write-reports.js';

/** `network-partition` for the primary placement (the name scripts know), `network-partition@replica` otherwise. */
export function scenarioFileBase(data: Pick<TimelineData, 'scenario' | 'placement'>): string {
  return placedName(data.scenario, data.placement as Placement | undefined);
}

/** Every file a run of these scenarios and placements writes in its report directory. */
export function runReportFiles(scenarios: readonly string[], placements: readonly Placement[]): string[] {
  const perScenario = scenarios.flatMap((scenario) =>
    placements.flatMap((placement) => {
      const base = placedName(scenario, placement);
      return [`${base}${TIMELINE_SUFFIX}`, `${base}${RESULT_SUFFIX}`, `${base}${RESULT_SUFFIX}.tmp`];
    }),
  );
  return [JUNIT_FILE, HTML_FILE, ...perScenario];
}

/**
 * Saves a scenario's timeline and result next to each other in the report directory; the reports
 * (junit.xml, report.html) and `report compare` are rebuilt from these files alone.
 */
export async function saveScenario(
  reportDir: string,
  data: TimelineData,
  metrics: Metrics,
  verdicts: readonly Verdict[],
  durationMs: number,
): Promise<ScenarioResult> {
  await mkdir(reportDir, { recursive: true });
  // Placements of one scenario must not overwrite each other's files; primary keeps the bare name.
  const base = scenarioFileBase(data);
  const timelineFile = `${base}${TIMELINE_SUFFIX}`;
  await saveTimeline(path.join(reportDir, timelineFile), data);
  const result: ScenarioResult = {
    scenario: data.scenario,
    target: data.target,
    sut: data.sut,
    ...(data.placement !== undefined && { placement: data.placement }),
    startedAt: data.startedAt,
    durationMs: Math.round(durationMs),
    metrics,
    verdicts,
    timelineFile,
  };
  const file = path.join(reportDir, `${base}${RESULT_SUFFIX}`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return result;
}

/**
 * Writes a sample report (synthetic but realistic runs) to a directory, for eyeballing the HTML:
 *   npx tsx test/support/render-sample-report.ts /tmp/pxchaos-sample
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeReports } from '../../lib/report/write-reports.js';
import { syntheticRun } from './synthetic-run.js';

const dir = path.resolve(process.argv[2] ?? 'reports/sample');
await mkdir(dir, { recursive: true });
const runs = [
  syntheticRun({ scenario: 'network-partition', seed: 1, startedAt: '2025-03-14T09:30:00.000Z' }),
  syntheticRun({
    scenario: 'agent-down-past-grace',
    seed: 2,
    fault: 'agent-down',
    outageMs: 27_000,
    holdMs: 45_000,
    recoveryWithinMs: 25_000,
    lostAcked: 2,
    startedAt: '2025-03-14T09:32:10.000Z',
  }),
  syntheticRun({
    scenario: 'agent-restart-within-grace',
    seed: 3,
    fault: 'agent-restart',
    outageMs: 4_000,
    holdMs: 8_000,
    primaryAfter: 'n1',
    sut: 'patroni',
    startedAt: '2025-03-14T09:34:40.000Z',
  }),
];
for (const run of runs) {
  await writeFile(path.join(dir, `${run.result.scenario}.result.json`), JSON.stringify(run.result, null, 2));
  await writeFile(path.join(dir, `${run.result.scenario}.timeline.json`), JSON.stringify(run.timeline));
}
const written = await writeReports(dir);
console.log(`${written.html}\n${written.junit}`);

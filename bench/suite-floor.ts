/**
 * The suite's wall time against its floor: what the SUT itself takes (lib/observe/scenario-floor.ts:
 * the fault in force — hold, detection, eviction, recovery, the stable window — and heal to settled).
 * Everything else is the harness's: opening the target (a lab, or a run namespace with initdb and the
 * pgbench load), each scenario's arrange (settle check, data check, digest, baseline) and read-back.
 *
 *   npx tsx bench/suite-floor.ts --target lab|kind [--from DIR] [-- <more pxchaos run arguments>]
 *
 * Runs `pxchaos run --target <t>` into a fresh report directory (or, with --from, reads the timelines
 * a run left there: the suite's wall is then the sum of its scenarios'), prints per scenario its wall
 * next to its floor and the ratio, then `<target>: wall <W> s, floor <F> s, ratio <R>` and the
 * harness process's CPU and peak memory (GNU time). Goals (issue 23): kind ≤ 1.5, lab ≤ 1.25.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scenarioFloor } from '../lib/observe/scenario-floor.js';
import { loadTimeline } from '../lib/observe/timeline.js';
import { TIMELINE_SUFFIX } from '../lib/report/read-results.js';

const { values, positionals } = parseArgs({
  options: { target: { type: 'string', default: 'lab' }, from: { type: 'string' } },
  allowPositionals: true,
});
const target = values.target;
if (!['lab', 'kind', 'vm'].includes(target)) {
  console.error(`--target must be lab, kind or vm, got '${target}'`);
  process.exit(2);
}

interface Harness {
  readonly wallMs: number;
  readonly cpuSeconds?: number;
  readonly peakMb?: number;
  readonly code: number;
}

/** `pxchaos run` under GNU time: its wall, its CPU (user + system) and peak RSS. */
async function runSuite(reportDir: string): Promise<Harness> {
  const args = ['run', '--target', target, '--report-dir', reportDir, ...positionals];
  const started = performance.now();
  let timeOut = '';
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'TIME %U %S %M', process.execPath, 'bin/pxchaos.js', ...args],
      {
        stdio: ['ignore', 'inherit', 'pipe'],
      },
    );
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      const line = /^TIME .*$/m.exec(d)?.[0];
      if (line) timeOut = line;
      process.stderr.write(d.replace(/^TIME .*\n?/m, ''));
    });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const wallMs = performance.now() - started;
  const [, user, system, maxKb] = timeOut.split(' ').map(Number);
  if (user === undefined || system === undefined || maxKb === undefined) return { wallMs, code };
  return { wallMs, code, cpuSeconds: user + system, peakMb: maxKb / 1024 };
}

const reportDir = values.from ?? (await mkdtemp(path.join(tmpdir(), `pxchaos-floor-${target}-`)));
const harness = values.from ? undefined : await runSuite(reportDir);
if (harness && harness.code !== 0)
  console.log(`pxchaos run exited ${harness.code}: figures of what ran follow`);

const files = (await readdir(reportDir)).filter((f) => f.endsWith(TIMELINE_SUFFIX)).sort();
if (files.length === 0) {
  console.error(`no timelines in ${reportDir}`);
  process.exit(1);
}
const s = (ms: number): string => (ms / 1000).toFixed(1);
console.log('| scenario | wall s | fault in force s | heal → settled s | floor s | ratio |');
console.log('| --- | --- | --- | --- | --- | --- |');
let wallSum = 0;
let floorSum = 0;
for (const file of files) {
  const floor = scenarioFloor(await loadTimeline(path.join(reportDir, file)));
  wallSum += floor.wallMs;
  floorSum += floor.floorMs;
  const ratio = floor.floorMs > 0 ? (floor.wallMs / floor.floorMs).toFixed(2) : '-';
  console.log(
    `| ${file.slice(0, -TIMELINE_SUFFIX.length)} | ${s(floor.wallMs)} | ${s(floor.faultMs)} | ${s(floor.settleMs)} | ${s(floor.floorMs)} | ${ratio} |`,
  );
}
const wall = harness?.wallMs ?? wallSum;
console.log(
  `\n${target}: wall ${s(wall)} s, floor ${s(floorSum)} s, ratio ${floorSum > 0 ? (wall / floorSum).toFixed(2) : '-'}` +
    (harness ? '' : ' (wall = the scenarios’ own, without opening the target)'),
);
if (harness?.cpuSeconds !== undefined && harness.peakMb !== undefined)
  console.log(
    `harness: ${((harness.cpuSeconds / (harness.wallMs / 1000)) * 100).toFixed(1)} % of a core over the run, peak ${harness.peakMb.toFixed(0)} MB`,
  );

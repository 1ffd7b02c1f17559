/**
 * The kube suite's figures, per scenario: RTO, detection (fault → node NotReady), the pod's move
 * (force delete → new pod Ready), when the platform had the pod Ready again, RTO − pod Ready (the
 * harness's port-forward reconnect and write interval — or the storage still stalling writes on a
 * Ready pod, as Gluster does until a frozen brick thaws), settle and wall time; then the suite's
 * RTOs against the platform's own recovery. Goal (not an assertion): the harness's RTO is ≤ 25 %
 * above the platform's timers (grace period, force-delete delay, Postgres start, ping-timeout).
 *
 *   npx tsx bench/kube-scenarios.ts [--reports reports/kind] [--run]
 *
 * Reads the results a `pxchaos run --target kind` left in --reports (`npm run kube` writes
 * reports/kind/); with --run, runs every scenario on the kube lab into that directory first.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readResults } from '../lib/report/read-results.js';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: path.join('reports', 'kind') },
    run: { type: 'boolean', default: false },
  },
});
const reportDir = path.resolve(values.reports);

if (values.run) {
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bin/pxchaos.js', 'run', '--target', 'kind', '--report-dir', reportDir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) console.log(`pxchaos run exited ${code}: figures of what ran follow`);
}

const stored = await readResults(reportDir);
if (stored.length === 0) {
  console.error(`no scenario results in ${reportDir} (run npm run kube, or pass --run)`);
  process.exit(1);
}

const s = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

console.log(
  '| scenario | RTO | node NotReady | force delete → pod Ready | pod Ready after fault | RTO − pod Ready | settle | wall | checks |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
let rtoSum = 0;
let platformSum = 0;
let wallSum = 0;
for (const { result } of stored) {
  const m = result.metrics;
  const rto = num(m['rto_ms']);
  const notReady = num(m['platform_node_not_ready_ms']);
  const deleted = num(m['platform_pod_force_deleted_ms']);
  // A pod that never went NotReady (drive-offline on two healthy replicas) has no Ready to wait for.
  const podReady =
    num(m['platform_pod_not_ready_ms']) === undefined ? undefined : num(m['platform_pod_ready_ms']);
  const added = rto !== undefined && podReady !== undefined ? rto - podReady : undefined;
  if (rto !== undefined && podReady !== undefined) {
    rtoSum += rto;
    platformSum += podReady;
  }
  wallSum += result.durationMs;
  const passed = result.verdicts.filter((v) => v.passed).length;
  console.log(
    `| ${result.scenario} [${result.target}/${result.sut}] | ${s(rto)} | ${s(notReady)} | ` +
      `${deleted !== undefined && podReady !== undefined ? s(podReady - deleted) : '-'} | ${s(podReady)} | ` +
      `${s(added)} | ${s(num(m['settle_ms']))} | ${s(result.durationMs)} | ${passed}/${result.verdicts.length} |`,
  );
}
console.log(`\nsuite wall time ${s(wallSum)} over ${stored.length} scenario(s)`);
if (platformSum > 0) {
  const share = ((rtoSum - platformSum) / platformSum) * 100;
  console.log(
    `RTOs ${s(rtoSum)} against the platform's own recovery (pod Ready again) ${s(platformSum)}: ` +
      `the measured RTO is ${share.toFixed(1)} % above it (goal ≤ 25 %)`,
  );
}

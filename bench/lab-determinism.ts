/**
 * Is the default lab suite trustworthy every night? Runs the network-partition scenario N times in a
 * row and the drive-offline scenario in hang mode M times, each as a real `pxchaos run` on the lab,
 * and prints pass counts, RTO min/median/max and acknowledged writes lost.
 *
 *   npx tsx bench/lab-determinism.ts [--partition 10] [--drive-hang 5] [--lab NAME] [--no-leader-key-fix]
 *
 * --no-leader-key-fix runs the same on Debian's Patroni 3.0.2 as shipped (docs/lab.md), for the
 * comparison. Reports of every run stay in a temporary directory (printed at the end).
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readResults } from '../lib/report/read-results.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const partitionRuns = Number(arg('--partition', '10'));
const hangRuns = Number(arg('--drive-hang', '5'));
const lab = arg('--lab', 'pxchaos-bench');
const fix = !args.includes('--no-leader-key-fix');

interface Outcome {
  readonly passed: boolean;
  readonly rtoMs?: number;
  readonly lost: number;
  readonly failed: readonly string[];
  readonly wallMs: number;
}

function pxchaos(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/pxchaos.js', ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function once(scenario: string, env: NodeJS.ProcessEnv, reportDir: string): Promise<Outcome> {
  const started = performance.now();
  const code = await pxchaos(
    ['run', '--target', 'lab', '--scenario', scenario, '--report-dir', reportDir],
    env,
  );
  const wallMs = performance.now() - started;
  const [stored] = await readResults(reportDir).catch(() => []);
  if (!stored) return { passed: false, lost: 0, failed: [`exit ${code}, no result`], wallMs };
  const m = stored.result.metrics;
  const rto = m['rto_ms'];
  return {
    passed: code === 0 && stored.result.verdicts.every((v) => v.passed),
    ...(typeof rto === 'number' && { rtoMs: rto }),
    lost: typeof m['lost_acked'] === 'number' ? m['lost_acked'] : 0,
    failed: stored.result.verdicts.filter((v) => !v.passed).map((v) => v.name),
    wallMs,
  };
}

const fmt = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function summary(label: string, outcomes: readonly Outcome[]): void {
  const rtos = outcomes
    .map((o) => o.rtoMs)
    .filter((x): x is number => x !== undefined && Number.isFinite(x))
    .sort((a, b) => a - b);
  const passed = outcomes.filter((o) => o.passed).length;
  const lost = outcomes.reduce((sum, o) => sum + o.lost, 0);
  const median = rtos.length ? rtos[Math.floor((rtos.length - 1) / 2)] : undefined;
  console.log(
    `${label}: ${passed}/${outcomes.length} passed; RTO min ${fmt(rtos[0])} median ${fmt(median)} max ${fmt(rtos.at(-1))}; ` +
      `acknowledged writes lost ${lost}`,
  );
}

const root = await mkdtemp(path.join(tmpdir(), 'pxchaos-determinism-'));
const env = { PXCHAOS_LAB: lab, PXCHAOS_LAB_LEADER_KEY_FIX: String(fix) };
console.log(`lab ${lab}, Patroni ${fix ? 'with' : 'WITHOUT'} the leader-key fix; reports in ${root}`);
const groups: [string, string, number, NodeJS.ProcessEnv][] = [
  ['network-partition', 'network-partition', partitionRuns, env],
  [
    'drive-offline (hang)',
    'drive-offline',
    hangRuns,
    { ...env, PXCHAOS_SCENARIOS_DRIVE_OFFLINE_DRIVE_MODE: 'hang' },
  ],
];
const results = new Map<string, Outcome[]>();
for (const [label, scenario, runs, groupEnv] of groups) {
  const outcomes: Outcome[] = [];
  for (let i = 1; i <= runs; i++) {
    const o = await once(scenario, groupEnv, path.join(root, `${scenario}-${i}`));
    outcomes.push(o);
    console.log(
      `  ${label} #${i}: ${o.passed ? 'PASS' : 'FAIL'} RTO ${fmt(o.rtoMs)} lost ${o.lost} wall ${fmt(o.wallMs)}` +
        (o.failed.length ? ` failed: ${o.failed.join(', ')}` : ''),
    );
  }
  results.set(label, outcomes);
}
for (const [label, outcomes] of results) if (outcomes.length) summary(label, outcomes);

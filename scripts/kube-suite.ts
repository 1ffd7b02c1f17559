// `npm run kube`: the kube suite. Brings up (or reuses) the kube lab, runs every scenario on it
// through `--target kind` (reports in reports/kind/), then network-partition through `--target vm`
// with the kube lab's SSH inventory (reports in reports/vm/), so the SSH path runs on real nodes.
// The vm run loads pgbench scale 2 (200,000 rows): it proves the SSH path; the scale-10 figures are
// the kind run's, and a smaller data directory shortens the vm run's self-heal and digests.
// Each step is its own `pxchaos` process, as a user would type it. Exit: 0 when every step passed,
// else the first failing step's code (both runs always happen once the lab is up).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config/load-config.js';
import { kubeLabAccessPaths } from '../lib/kube-lab/kube-lab-access.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'bin', 'pxchaos.js');

function pxchaos(args: string[], env: Record<string, string> = {}): Promise<number> {
  const shown = Object.entries(env).map(([k, v]) => `${k}=${v} `);
  process.stderr.write(`\nkube suite: ${shown.join('')}pxchaos ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// The kube lab is the kind cluster the kind target uses: both are named by kind.clusterName.
const { kind } = await loadConfig();
const started = performance.now();
const up = await pxchaos(['kube-lab', 'up']);
if (up !== 0) process.exit(up);
const kindRun = await pxchaos([
  'run',
  '--target',
  'kind',
  '--report-dir',
  path.join(root, 'reports', 'kind'),
]);
const vmRun = await pxchaos(
  [
    'run',
    '--config',
    kubeLabAccessPaths(kind.clusterName).inventory,
    '--scenario',
    'network-partition',
    '--report-dir',
    path.join(root, 'reports', 'vm'),
  ],
  { PXCHAOS_WORKLOAD_PGBENCH_SCALE: '2' },
);
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
process.stderr.write(
  `\nkube suite: kind run exit ${kindRun}, vm run exit ${vmRun}, ${minutes} min; reports in reports/kind/ and reports/vm/\n`,
);
process.exit(kindRun || vmRun);

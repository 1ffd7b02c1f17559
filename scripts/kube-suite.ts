// `npm run kube`: the kube suite. Brings up (or reuses) the kube lab, runs every scenario on it
// through `--target kind` on its replicated GlusterFS (reports in reports/kind/), then every
// scenario through `--target vm` with the kube lab's SSH inventory on the local driver (node-local
// volumes, no replication: reports in reports/vm/), so the SSH path runs on real nodes.
// First, a kind run is killed with -9 once its fault is in force (pgbench scale 1: it only has to
// get that far); the kind run after it must heal that fault, remove the dead run's namespace and
// recycle its volume before it arranges, and say so (issue 20) — checked on its output.
// Each step is its own `pxchaos` process, as a user would type it. Exit: 0 when every step passed,
// else the first failing step's code (both runs always happen once the lab is up).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PXCHAOS_NAMESPACE } from '../lib/k8s/ensure-namespace.js';
import { connectKube } from '../lib/k8s/kube-client.js';
import { kubeLabAccessPaths } from '../lib/kube-lab/kube-lab-access.js';
import { listHelperPods } from '../lib/nodes/pod/helper-pods.js';
import { loadConfig } from '../lib/pxchaos-config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'bin', 'pxchaos.js');

interface Step {
  readonly code: Promise<number>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  kill(): void;
}

/** One `pxchaos` step, its output shown as it comes and kept. */
function pxchaos(args: string[], env: Record<string, string> = {}): Step {
  const shown = Object.entries(env).map(([k, v]) => `${k}=${v} `);
  process.stderr.write(`\nkube suite: ${shown.join('')}pxchaos ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      process.stderr.write(d);
    });
  const code = new Promise<number>((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))),
  );
  return { code, output: () => output, kill: () => child.kill('SIGKILL') };
}

/** Starts a kind run and kills it with -9 once its fault is in force; resolves to what it printed. */
async function killedMidFault(): Promise<string> {
  const run = pxchaos(
    [
      'run',
      '--target',
      'kind',
      '--scenario',
      'drive-offline',
      '--report-dir',
      path.join(root, 'reports', 'kind-killed'),
    ],
    { PXCHAOS_WORKLOAD_PGBENCH_SCALE: '1' },
  );
  const deadline = performance.now() + 900_000;
  let exited = false;
  void run.code.then(() => (exited = true));
  while (!/\] observe: until /.test(run.output()) && !exited && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  run.kill();
  await run.code;
  process.stderr.write('\nkube suite: killed the run with SIGKILL while its fault was in force\n');
  return run.output();
}

/** What the run after a killed one must have said, or the missing lines. */
function missedCleanup(killedOutput: string, nextOutput: string): string[] {
  const namespace = /Postgres (pxchaos-run-[a-z0-9]+)\//.exec(killedOutput)?.[1];
  const expected: [string, RegExp][] = [
    ['the killed run reached its fault', /\] observe: until /],
    ['heal its open fault', /arrange: healed drive-offline on \S+ \(\S+\) left by a dead run/],
    [
      "remove the dead run's namespace",
      new RegExp(`removed run namespace ${namespace ?? '(unknown)'} left by a dead run`),
    ],
    ['recycle its volume', /recycling \S+: wiping Gluster volume/],
  ];
  return expected
    .filter(([, pattern], i) => !pattern.test(i === 0 ? killedOutput : nextOutput))
    .map(([what]) => what);
}

// The kube lab is the kind cluster the kind target uses: both are named by kind.clusterName.
const { kind: kindConfig } = await loadConfig();
const started = performance.now();
const up = await pxchaos(['kube-lab', 'up']).code;
if (up !== 0) process.exit(up);
const killedOutput = await killedMidFault();
const kind = pxchaos(['run', '--target', 'kind', '--report-dir', path.join(root, 'reports', 'kind')]);
const kindCode = await kind.code;
const missed = missedCleanup(killedOutput, kind.output());
if (missed.length)
  process.stderr.write(
    `\nkube suite: FAILED: after the killed run, the next run did not ${missed.join(', ')}\n`,
  );
const kindRun = kindCode || (missed.length ? 1 : 0);
// Every scenario again through --target vm (SSH to each node), on the local driver: the SSH path
// carries all four faults and the driver's disk provisioning, and the local driver's figures are
// the contrast to the replicated run above.
const vmRun = await pxchaos(
  [
    'run',
    '--config',
    kubeLabAccessPaths(kindConfig.clusterName).inventory,
    '--report-dir',
    path.join(root, 'reports', 'vm'),
  ],
  { PXCHAOS_KUBE_SUT: 'local' },
).code;
// The same cluster with nothing but its kubeconfig: node commands through helper pods.
const access = kubeLabAccessPaths(kindConfig.clusterName);
const kubeRunCode = await pxchaos(
  ['run', '--target', 'kube', '--report-dir', path.join(root, 'reports', 'kube')],
  {
    PXCHAOS_KUBE_KUBECONFIG: access.kubeconfig,
    PXCHAOS_KUBE_CONTEXT: access.context,
    PXCHAOS_KUBE_SUT: 'gluster',
  },
).code;
const helpersLeft = await leftoverHelpers(access.kubeconfig, access.context);
if (helpersLeft.length)
  process.stderr.write(
    `\nkube suite: FAILED: helper pods left after the kube run: ${helpersLeft.join(', ')}\n`,
  );
const kubeRun = kubeRunCode || (helpersLeft.length ? 1 : 0);
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
process.stderr.write(
  `\nkube suite: kind run exit ${kindRun}, vm run exit ${vmRun}, kube run exit ${kubeRun}, ${minutes} min; reports in reports/kind/ (gluster), reports/vm/ (local), reports/kube/ (gluster, through helper pods)\n`,
);
process.exit(kindRun || vmRun || kubeRun);

/** Helper pods of any run still in the cluster. */
async function leftoverHelpers(kubeconfig: string, context: string): Promise<string[]> {
  const client = await connectKube({ kubeconfig, context });
  return (await listHelperPods(client, PXCHAOS_NAMESPACE)).map((p) => p.metadata?.name ?? '?');
}

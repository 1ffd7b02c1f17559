import type { Command } from 'commander';
import { kubeLabDown } from '../kube-lab/kube-lab-down.js';
import { listKubeLabs } from '../kube-lab/kube-lab-inspect.js';
import { validateKubeLabName, validateWorkers } from '../kube-lab/kube-lab-layout.js';
import { kubeLabStatus, type KubeLabStatus } from '../kube-lab/kube-lab-status.js';
import { kubeLabUp } from '../kube-lab/kube-lab-up.js';
import { describeTimings } from '../kube-lab/kubeadm-config.js';
import { UsageError } from '../errors.js';
import { acquireRunLock, type RunLock } from '../scenario/run-lock.js';
import { MAX, parseDuration } from '../time/duration.js';
import { progressFor } from './cli-output.js';
import { loadConfig } from '../pxchaos-config.js';

interface KubeLabCliOptions {
  readonly name?: string;
  readonly config?: string;
  readonly workers?: string;
  readonly json?: boolean;
  readonly kubeconfigOut?: string;
  readonly nodeMonitorGracePeriod?: string;
}

/** --name > PXCHAOS_KIND_CLUSTER_NAME > the config file's kind.clusterName > "pxchaos": the kind target's cluster. */
async function resolveName(o: KubeLabCliOptions): Promise<string> {
  if (o.name !== undefined) return validateKubeLabName(o.name);
  const config = await loadConfig(o.config !== undefined ? { file: o.config } : {});
  return validateKubeLabName(config.kind.clusterName);
}

/** One up/down per kube lab at a time: two concurrent ups would both run kubeadm on the same nodes. */
function lockKubeLab(name: string, verb: 'up' | 'down'): Promise<RunLock> {
  return acquireRunLock(`kube-lab-${name}`, {
    what: `pxchaos kube-lab ${verb} --name ${name}`,
    say: (line) => process.stderr.write(`${line}\n`),
  });
}

function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 3;
  if (!/^\d+$/.test(value)) throw new UsageError(`--workers must be a whole number, not '${value}'`);
  return validateWorkers(Number(value));
}

function printStatus(s: KubeLabStatus): void {
  if (!s.exists) {
    process.stdout.write(`kube lab ${s.name}: not up\n`);
    return;
  }
  process.stdout.write(`kube lab ${s.name}: ${s.healthy ? 'healthy' : 'NOT healthy'}\n`);
  const rows = s.nodes.map((n) => [
    n.name,
    n.role,
    n.ip,
    n.running ? (n.ready ? 'Ready' : 'NotReady') : 'stopped',
    n.brick ? `${n.brick.state} ${n.brick.loopDevice ?? ''}`.trim() : '',
  ]);
  const header = ['node', 'role', 'ip', 'state', 'brick'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows])
    process.stdout.write(`  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  for (const v of s.storage?.volumes ?? [])
    process.stdout.write(
      `  volume ${v.name}: ${v.started ? 'started' : 'stopped'}, bricks online ${v.bricks.filter((b) => b.online).length}/${v.bricks.length}, PV ${v.pv} ${v.phase ?? ''}\n`,
    );
  for (const ns of s.runNamespaces ?? []) process.stdout.write(`  run namespace ${ns}\n`);
  if (s.timings) process.stdout.write(`  timers: ${describeTimings(s.timings)}\n`);
  process.stdout.write(`  kubeconfig: ${s.access.kubeconfig} (context ${s.access.context})\n`);
  process.stdout.write(`  vm inventory: ${s.access.inventory}\n`);
  for (const p of s.problems) process.stdout.write(`  problem: ${p}\n`);
}

export function registerKubeLabCommand(program: Command): void {
  const cmd = program
    .command('kube-lab')
    .description(
      'a real Kubernetes 1.20 (built from Debian source) in kind-style node containers, with GlusterFS storage',
    );
  const nameOption = [
    '--name <name>',
    'cluster name (default: the config\'s kind.clusterName, "pxchaos")',
  ] as const;
  const configOption = [
    '--config <file>',
    'configuration file (default pxchaos.yaml or PXCHAOS_CONFIG)',
  ] as const;

  cmd
    .command('up')
    .description(
      'create the kube lab, reuse a healthy one, or repair/recreate a broken one; returns when every node is Ready',
    )
    .option(...nameOption)
    .option(...configOption)
    .option('--workers <n>', 'worker nodes (3-6)', '3')
    .option(
      '--node-monitor-grace-period <duration>',
      'how long a silent node stays Ready (Kubernetes default 40s)',
    )
    .option('--kubeconfig-out <file>', 'also write the kubeconfig here')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action(async (o: KubeLabCliOptions) => {
      const name = await resolveName(o);
      const workers = parseWorkers(o.workers);
      const grace =
        o.nodeMonitorGracePeriod === undefined
          ? undefined
          : parseDuration(o.nodeMonitorGracePeriod, '--node-monitor-grace-period', {
              maxMs: MAX.clusterTimer,
            });
      if (grace !== undefined && (grace < 2000 || grace % 1000 !== 0))
        throw new UsageError('--node-monitor-grace-period must be whole seconds, at least 2s');
      const lock = await lockKubeLab(name, 'up');
      const up = await kubeLabUp({
        name,
        workers,
        ...(grace !== undefined && { timings: { nodeMonitorGracePeriodMs: grace } }),
        ...(o.kubeconfigOut !== undefined && { kubeconfigOut: o.kubeconfigOut }),
        progress: progressFor(o.json),
      }).finally(() => lock.release());
      if (o.json) process.stdout.write(`${JSON.stringify(up, null, 2)}\n`);
      else {
        for (const n of up.layout.nodes) process.stdout.write(`  ${n.name}  ${n.role}  ${n.ip}\n`);
        process.stdout.write(`  kubectl --kubeconfig ${up.access.kubeconfig} get nodes\n`);
        process.stdout.write(`  vm inventory: ${up.access.inventory}\n`);
      }
    });

  cmd
    .command('down')
    .description(
      'remove the kube lab: containers, volumes, network, loop devices, host-side files (images stay cached)',
    )
    .option(...nameOption)
    .option(...configOption)
    .option('--json', 'print what was removed as JSON')
    .action(async (o: KubeLabCliOptions) => {
      const name = await resolveName(o);
      const lock = await lockKubeLab(name, 'down');
      const removed = await kubeLabDown(name, progressFor(o.json)).finally(() => lock.release());
      if (o.json) process.stdout.write(`${JSON.stringify({ name, removed }, null, 2)}\n`);
      else
        process.stdout.write(
          `kube lab ${name}: removed ${removed.containers.length} container(s), ${removed.volumes.length} volume(s), ${removed.networks.length} network(s), ${removed.loopDevices.length} leftover loop device(s)\n`,
        );
    });

  cmd
    .command('status')
    .description('nodes, bricks, Gluster volumes, PVs, timers and access files (exit 1 when not healthy)')
    .option(...nameOption)
    .option(...configOption)
    .option('--json', 'print the status as JSON')
    .action(async (o: KubeLabCliOptions) => {
      const status = await kubeLabStatus(await resolveName(o));
      if (o.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else {
        printStatus(status);
        if (!status.exists) {
          const others = await listKubeLabs();
          if (others.length) process.stdout.write(`  kube labs on this machine: ${others.join(', ')}\n`);
        }
      }
      if (!status.healthy) process.exitCode = 1;
    });
}

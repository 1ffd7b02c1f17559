import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { labDown } from '../lab/lab-down.js';
import { labStatus, type LabStatus } from '../lab/lab-status.js';
import type { PatroniTimings } from '../lab/lab-timings.js';
import { labUp } from '../lab/lab-up.js';
import { resolveLab } from '../lab/resolve-lab.js';
import { MAX, parseDuration } from '../time/duration.js';

const LIMIT = { maxMs: MAX.clusterTimer };
import { progressFor } from './cli-output.js';
import { refuseWhileRunHolds } from '../scenario/run-lock.js';

interface LabCliOptions {
  readonly name?: string;
  readonly config?: string;
  readonly nodes?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly ttl?: string;
  readonly loopWait?: string;
  readonly retryTimeout?: string;
  readonly primaryStartTimeout?: string;
  readonly syncStrict?: boolean;
  /** commander's --no-leader-key-fix: false when given. */
  readonly leaderKeyFix?: boolean;
}

function parseNodes(value: string | undefined, configured: 3 | 5): 3 | 5 {
  if (value === undefined) return configured;
  if (value === '3') return 3;
  if (value === '5') return 5;
  throw new UsageError(`--nodes must be 3 or 5, not '${value}'`);
}

function parseTimings(o: LabCliOptions): Partial<PatroniTimings> {
  return {
    ...(o.ttl !== undefined && { ttlMs: parseDuration(o.ttl, '--ttl', LIMIT) }),
    ...(o.loopWait !== undefined && { loopWaitMs: parseDuration(o.loopWait, '--loop-wait', LIMIT) }),
    ...(o.retryTimeout !== undefined && {
      retryTimeoutMs: parseDuration(o.retryTimeout, '--retry-timeout', LIMIT),
    }),
    ...(o.primaryStartTimeout !== undefined && {
      primaryStartTimeoutMs: parseDuration(o.primaryStartTimeout, '--primary-start-timeout', LIMIT),
    }),
  };
}

function printStatus(s: LabStatus): void {
  if (!s.exists) {
    process.stdout.write(`lab ${s.name}: not up\n`);
    return;
  }
  const head = s.healthy ? 'healthy' : 'NOT healthy';
  process.stdout.write(
    `lab ${s.name}: ${head}; leader ${s.leader ?? '-'}, sync standby ${s.syncStandby ?? '-'}, timeline ${s.timeline ?? '-'}\n`,
  );
  const rows = s.nodes.map((n) => [
    n.name,
    n.container,
    n.role ?? '-',
    n.state ?? (n.running ? '-' : 'container stopped'),
    String(n.timeline ?? '-'),
    n.lagBytes === undefined ? '' : String(n.lagBytes),
    n.agent,
    n.drive,
    `${n.host}:${n.ports.postgres ?? '-'}`,
  ]);
  const header = ['node', 'container', 'role', 'state', 'tl', 'lag', 'patroni', 'drive', 'postgres'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows])
    process.stdout.write(`  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  for (const p of s.problems) process.stdout.write(`  problem: ${p}\n`);
}

export function registerLabCommand(program: Command): void {
  const lab = program
    .command('lab')
    .description('the local lab: 3 or 5 Docker containers running etcd + Patroni + PostgreSQL 15');
  const nameOption = [
    '--name <name>',
    'lab name (default: PXCHAOS_LAB, else lab.name in the config, else "pxchaos")',
  ] as const;
  const configOption = [
    '--config <file>',
    'configuration file (default: PXCHAOS_CONFIG, else pxchaos.yaml)',
  ] as const;
  const resolve = (o: LabCliOptions) => resolveLab({ flag: o.name, configFile: o.config });

  lab
    .command('up')
    .description(
      'create the lab, or reuse it when it is healthy; returns once a leader and a sync standby exist',
    )
    .option(...nameOption)
    .option(...configOption)
    .option('--nodes <n>', 'number of nodes: 3 or 5 (default: lab.nodes in the config, else 3)')
    .option('--json', 'print the lab as JSON (progress goes to stderr)')
    .option('--ttl <duration>', 'Patroni leader key ttl (default 20s)')
    .option('--loop-wait <duration>', 'Patroni loop_wait (default 2s)')
    .option('--retry-timeout <duration>', 'Patroni retry_timeout (default 5s)')
    .option('--primary-start-timeout <duration>', 'Patroni primary_start_timeout (default 10s)')
    .option('--sync-strict', 'Patroni synchronous_mode_strict (writes stop when no sync standby is left)')
    .option(
      '--no-leader-key-fix',
      "run Debian's Patroni 3.0.2 as shipped: a stale leader can take the key back and lose acknowledged writes (default: lab.leaderKeyFix)",
    )
    .action(async (o: LabCliOptions) => {
      const { name, config } = await resolve(o);
      const result = await labUp({
        name,
        nodes: parseNodes(o.nodes, config.lab.nodes),
        timings: { ...config.lab.patroni, ...parseTimings(o) },
        syncStrict: o.syncStrict === true,
        leaderKeyFix: o.leaderKeyFix === false ? false : config.lab.leaderKeyFix,
        progress: progressFor(o.json),
      });
      if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const n of result.nodes) {
          process.stdout.write(
            `  ${n.name}  ${n.container}  postgres ${n.host}:${n.ports.postgres ?? '-'}  patroni ${n.host}:${n.ports.rest ?? '-'}  ssh ${n.host}:${n.ports.ssh ?? '-'}\n`,
          );
        }
        process.stdout.write(`  ssh key: ${result.sshKeyPath}\n`);
      }
    });

  lab
    .command('down')
    .description('remove the lab: every container, volume and network with its label')
    .option(...nameOption)
    .option(...configOption)
    .option('--json', 'print what was removed as JSON')
    .option('--force', 'remove it even while a run uses it (the run then reports its target vanished)')
    .action(async (o: LabCliOptions) => {
      const { name } = await resolve(o);
      if (!o.force)
        await refuseWhileRunHolds(`lab ${name}`, `pxchaos lab down ${name}`, { override: 'add --force' });
      const removed = await labDown(name, progressFor(o.json));
      if (o.json) process.stdout.write(`${JSON.stringify({ name, removed }, null, 2)}\n`);
      else {
        process.stdout.write(
          `lab ${name}: removed ${removed.containers} container(s), ${removed.volumes} volume(s), ${removed.networks} network(s)\n`,
        );
      }
    });

  lab
    .command('status')
    .description('nodes, roles, timeline, lag, agent and drive state (exit 1 when not healthy)')
    .option(...nameOption)
    .option(...configOption)
    .option('--json', 'print the status as JSON')
    .action(async (o: LabCliOptions) => {
      const { name } = await resolve(o);
      const status = await labStatus(name, AbortSignal.timeout(30_000));
      if (o.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else printStatus(status);
      if (!status.healthy) process.exitCode = 1;
    });
}

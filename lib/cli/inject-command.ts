import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { handPartitionPlan, handSutFaultPlan } from '../faults/hand-fault-plans.js';
import { holdFault } from '../faults/hold-fault.js';
import type { FaultSurface } from '../targets/target.js';
import { targetFor } from '../targets/targets.js';
import { refuseWhileRunHolds } from '../scenario/run-lock.js';
import { TARGETS } from '../config/config-schema.js';
import { MAX, parseDuration } from '../time/duration.js';
import { progressPrinter } from './cli-output.js';
import { loadConfig } from '../pxchaos-config.js';

export interface PartitionCliOptions extends TargetCliOptions {
  readonly node: string;
  readonly for: string;
  readonly peers?: string;
  readonly verify: boolean;
}

interface TargetCliOptions {
  readonly lab?: string;
  readonly config?: string;
  readonly target?: string;
}

/**
 * The nodes and commands of the target: `--target`, else the config's. Its preflight runs first
 * (a Kubernetes context outside kube.allowedContexts is refused before any node is touched); a lab
 * is the one named by --lab, the environment or the config (resolveLab), never a guess among several.
 */
async function surfaceOf(options: TargetCliOptions): Promise<FaultSurface> {
  const config = await loadConfig({
    ...(options.config !== undefined && { file: options.config }),
    ...(options.target !== undefined && { overrides: { target: options.target } }),
  });
  const target = targetFor(config, { ...(options.lab !== undefined && { lab: options.lab }) });
  // A fault by hand during a run would be measured as the run's SUT misbehaving: refused (exit 3).
  const { lockName } = await target.preflight();
  await refuseWhileRunHolds(lockName, 'pxchaos inject');
  return target.faultSurface();
}

/** `--for` as milliseconds: a positive duration with a unit. */
export function parseForOption(text: string): number {
  const ms = parseDuration(text, '--for', { maxMs: MAX.injectFor });
  if (ms <= 0) throw new UsageError(`--for: '${text}' must be longer than zero`);
  return ms;
}

/** `--peers n2,n3` as a list of node names or IPv4 addresses. */
export function parsePeersOption(text: string | undefined): string[] {
  if (text === undefined) return [];
  const peers = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (peers.length === 0) throw new UsageError(`--peers: '${text}' names no peer`);
  return peers;
}

async function runPartition(options: PartitionCliOptions): Promise<void> {
  // Bad input is reported before anything touches Docker.
  const forMs = parseForOption(options.for);
  const peers = parsePeersOption(options.peers);
  const say = progressPrinter();
  const surface = await surfaceOf(options);
  try {
    const { plan, verifier } = handPartitionPlan(surface, {
      node: options.node,
      peers,
      forMs,
      verify: options.verify,
    });
    if (options.verify && !verifier) say('no peer node to verify from: the partition is applied unverified');
    await holdFault(plan, forMs, say);
  } finally {
    await surface.close();
  }
}

export interface SutFaultCliOptions extends TargetCliOptions {
  readonly node: string;
  readonly for: string;
  readonly mode?: string;
}

/** agent-down and drive-offline: the commands come from the target's SUT (pxlab-agent, the storage driver's). */
async function runSutFault(verb: 'agent-down' | 'drive-offline', options: SutFaultCliOptions): Promise<void> {
  const forMs = parseForOption(options.for);
  const mode = options.mode;
  if (mode !== undefined && mode !== 'error' && mode !== 'hang')
    throw new UsageError(`--mode: '${mode}' is not error or hang`);
  const say = progressPrinter();
  const surface = await surfaceOf(options);
  try {
    await holdFault(
      handSutFaultPlan(surface, verb, { node: options.node, forMs, ...(mode && { mode }) }),
      forMs,
      say,
    );
  } finally {
    await surface.close();
  }
}

export function registerInjectCommand(program: Command): void {
  const injectCmd = program
    .command('inject')
    .description('apply one fault in the foreground; heals when --for ends or on Ctrl-C/SIGTERM');
  const labOption = (): Option =>
    new Option(
      '--lab <name>',
      'lab whose containers are the nodes (default: PXCHAOS_LAB, else lab.name in the config, else "pxchaos")',
    );
  const configOption = (): Option =>
    new Option('--config <file>', 'configuration file (default: PXCHAOS_CONFIG, else pxchaos.yaml)');
  const targetOption = (): Option =>
    new Option('--target <name>', "where the node is (default: the config's target)").choices(TARGETS);

  injectCmd
    .command('partition')
    .description('cut a node off the network with iptables (SSH and loopback kept), then heal')
    .requiredOption(
      '--node <name>',
      'node to partition (lab: n1, n2, ...; kind/vm: the Kubernetes node name)',
    )
    .option('--for <duration>', 'how long the partition lasts (e.g. 30s, 2m)', '60s')
    .option(
      '--peers <names>',
      'cut only these peers (comma list of node names or IPv4); default: all traffic',
    )
    .option('--no-verify', 'skip the TCP check from a peer that the partition holds and is healed')
    .addOption(targetOption())
    .addOption(labOption())
    .addOption(configOption())
    .action((opts: PartitionCliOptions) => runPartition(opts));

  injectCmd
    .command('agent-down')
    .description("crash the node's agent (Patroni in the lab) and keep it down, then start it again")
    .requiredOption('--node <name>', 'node to act on')
    .option('--for <duration>', 'how long the agent stays down', '60s')
    .addOption(targetOption())
    .addOption(labOption())
    .addOption(configOption())
    .action((opts: SutFaultCliOptions) => runSutFault('agent-down', opts));
  injectCmd
    .command('drive-offline')
    .description("fail the node's data drive (I/O errors, or --mode hang), then restore it")
    .requiredOption('--node <name>', 'node to act on')
    .option('--for <duration>', 'how long the drive stays offline', '60s')
    .option(
      '--mode <mode>',
      'error (I/O fails) or hang (I/O blocks); default error, hang where the drive can only hang',
    )
    .addOption(targetOption())
    .addOption(labOption())
    .addOption(configOption())
    .action((opts: SutFaultCliOptions) => runSutFault('drive-offline', opts));
}

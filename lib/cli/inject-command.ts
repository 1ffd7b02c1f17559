import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { inject } from '../faults/fault.js';
import { FaultJournal } from '../faults/journal.js';
import { partitionPlan } from '../faults/partition.js';
import { defaultLabName, pickNode, resolveDockerNodes } from '../nodes/docker-label-nodes.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { formatDuration, parseDuration } from '../time/duration.js';
import { progressPrinter } from './cli-output.js';

/** How much longer than --for the node-side timer waits before reverting on its own. */
export const AUTO_REVERT_MARGIN_MS = 10_000;

export interface PartitionCliOptions {
  readonly node: string;
  readonly for: string;
  readonly peers?: string;
  readonly lab: string;
  readonly verify: boolean;
}

/** `--for` as milliseconds: a positive duration with a unit. */
export function parseForOption(text: string): number {
  const ms = parseDuration(text, '--for');
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
  const peerNames = parsePeersOption(options.peers);
  const say = progressPrinter();
  const nodes = await resolveDockerNodes({ lab: options.lab });
  try {
    const node = pickNode(nodes, options.node, options.lab);
    const peers: (NodeAccess | string)[] = peerNames.map((p) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(p) ? p : pickNode(nodes, p, options.lab),
    );
    if (peers.includes(node)) throw new UsageError(`--peers: ${node.name} cannot be its own peer`);
    const peerNodes = peers.filter((p): p is NodeAccess => typeof p !== 'string');
    const verifyFrom = options.verify
      ? (peerNodes[0] ?? (peers.length === 0 ? [...nodes.values()].find((n) => n !== node) : undefined))
      : undefined;
    const plan = await partitionPlan(node, {
      peers,
      maxDurationMs: forMs + AUTO_REVERT_MARGIN_MS,
      ...(verifyFrom && { verifyFrom }),
    });
    if (options.verify && !verifyFrom)
      say('no peer node to verify from: the partition is applied unverified');
    const journal = new FaultJournal();
    const fault = await inject(plan, {
      journal,
      onEvent: (phase, detail) => {
        if (phase === 'journaled') say(`journaled in ${journal.path}: ${detail ?? ''}`);
        else if (phase === 'verified')
          say(`verified from ${verifyFrom?.name ?? '?'}: TCP to ${node.name} times out`);
        else if (phase === 'heal-verified') say(`verified healed: ${node.name} answers again`);
        else say(`${phase}${detail ? `: ${detail}` : ''}`);
      },
    });
    say(
      `partition of ${node.name} in force (fault ${fault.id}); healing in ${formatDuration(forMs)}, ` +
        `Ctrl-C heals now; node-side auto-revert at ${new Date(fault.expiresAt).toISOString()}`,
    );
    await sleep(forMs);
    await fault.heal();
    say('done');
  } finally {
    await Promise.allSettled([...nodes.values()].map((n) => n.close()));
  }
}

function notYet(verb: string): () => never {
  return () => {
    throw new UsageError(`inject ${verb} needs a SUT: arrives with the lab`);
  };
}

export function registerInjectCommand(program: Command): void {
  const injectCmd = program
    .command('inject')
    .description('apply one fault in the foreground; heals when --for ends or on Ctrl-C/SIGTERM');
  const labOption = (): Option =>
    new Option('--lab <name>', 'lab whose containers are the nodes (label pxchaos.lab)').default(
      defaultLabName(),
    );

  injectCmd
    .command('partition')
    .description('cut a node off the network with iptables (SSH and loopback kept), then heal')
    .requiredOption('--node <name>', 'node to partition (its pxchaos.node label: n1, n2, ...)')
    .option('--for <duration>', 'how long the partition lasts (e.g. 30s, 2m)', '60s')
    .option(
      '--peers <names>',
      'cut only these peers (comma list of node names or IPv4); default: all traffic',
    )
    .option('--no-verify', 'skip the TCP check from a peer that the partition holds and is healed')
    .addOption(labOption())
    .action((opts: PartitionCliOptions) => runPartition(opts));

  for (const verb of ['agent-down', 'drive-offline']) {
    injectCmd
      .command(verb)
      .description(`${verb} (needs a SUT: arrives with the lab)`)
      .requiredOption('--node <name>', 'node to act on')
      .option('--for <duration>', 'how long the fault lasts', '60s')
      .addOption(labOption())
      .action(notYet(verb));
  }
}

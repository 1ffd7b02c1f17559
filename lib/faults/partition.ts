import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { nodeIpv4 } from '../nodes/node-ipv4.js';
import type { FaultPlan } from './fault-plan.js';
import { probeTcp, type TcpProbeResult } from './tcp-reachability.js';

/** Every pxchaos chain starts with this; findLeftovers looks for it. */
export const CHAIN_PREFIX = 'PXCHAOS-';
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

export interface PartitionOptions {
  /** Cut only these peers (nodes or IPv4 addresses); default: everything except SSH and loopback. */
  readonly peers?: readonly (NodeAccess | string)[];
  /** Bound of the node-side auto-revert timer. */
  readonly maxDurationMs: number;
  /** A peer node that checks the partition: its TCP to the node must time out in force and answer after heal. */
  readonly verifyFrom?: NodeAccess;
  /** Port probed by the verification (a closed port is fine: an RST is an answer). Default 5432. */
  readonly verifyPort?: number;
  /** How long a probe waits for an answer before calling it "no answer" (default 2 s). */
  readonly probeWaitMs?: number;
  /** Chain id (default random); the chains are PXCHAOS-<id>-IN and PXCHAOS-<id>-OUT. */
  readonly chainId?: string;
}

export interface PartitionChains {
  readonly input: string;
  readonly output: string;
}

export function partitionChains(chainId: string): PartitionChains {
  if (!/^[A-Za-z0-9]{1,12}$/.test(chainId))
    throw new Error(`chain id '${chainId}' must be 1-12 letters/digits`);
  return { input: `${CHAIN_PREFIX}${chainId}-IN`, output: `${CHAIN_PREFIX}${chainId}-OUT` };
}

/**
 * The iptables-restore input of a partition. Dedicated chains, jumped to from INPUT and OUTPUT at
 * position 1 so no earlier ACCEPT (e.g. ESTABLISHED) lets traffic through; they keep SSH (port 22
 * in, its replies out) and loopback, then DROP everything or only the given peers. Applied with
 * `iptables-restore --noflush` as one transaction: the cut is atomic in both directions.
 */
export function partitionRules(chains: PartitionChains, peerIps: readonly string[] = []): string[] {
  for (const ip of peerIps) if (!IPV4.test(ip)) throw new UsageError(`peer '${ip}' is not an IPv4 address`);
  const { input, output } = chains;
  const drops =
    peerIps.length === 0
      ? [`-A ${input} -j DROP`, `-A ${output} -j DROP`]
      : peerIps.flatMap((ip) => [`-A ${input} -s ${ip} -j DROP`, `-A ${output} -d ${ip} -j DROP`]);
  return [
    '*filter',
    `:${input} - [0:0]`,
    `:${output} - [0:0]`,
    `-A ${input} -i lo -j ACCEPT`,
    `-A ${input} -p tcp --dport 22 -j ACCEPT`,
    `-A ${output} -o lo -j ACCEPT`,
    `-A ${output} -p tcp --sport 22 -j ACCEPT`,
    ...drops,
    `-I INPUT 1 -j ${input}`,
    `-I OUTPUT 1 -j ${output}`,
    'COMMIT',
  ];
}

export function partitionInjectArgv(chains: PartitionChains, peerIps: readonly string[] = []): string[] {
  return [
    'sh',
    '-c',
    `printf '%s\\n' "$@" | iptables-restore --noflush`,
    'pxchaos-partition',
    ...partitionRules(chains, peerIps),
  ];
}

/**
 * Idempotent revert: deletes every jump to the chains (even if inserted twice), flushes and deletes
 * them, ignoring "does not exist"; exits non-zero only if a chain is still there afterwards.
 */
export function partitionRevertArgv(chains: PartitionChains): string[] {
  const script = [
    `command -v iptables >/dev/null || { echo 'iptables: not found' >&2; exit 127; }`,
    `while iptables -w 5 -D INPUT -j "$1" 2>/dev/null; do :; done`,
    `while iptables -w 5 -D OUTPUT -j "$2" 2>/dev/null; do :; done`,
    `for c in "$1" "$2"; do iptables -w 5 -F "$c" 2>/dev/null; iptables -w 5 -X "$c" 2>/dev/null; done`,
    `for c in "$1" "$2"; do if iptables -w 5 -S "$c" >/dev/null 2>&1; then echo "chain $c still present" >&2; exit 1; fi; done`,
    'exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'pxchaos-unpartition', chains.input, chains.output];
}

/** Builds the (inert) partition of `node`; resolves the IPs it needs from the nodes themselves. */
export async function partitionPlan(node: NodeAccess, options: PartitionOptions): Promise<FaultPlan> {
  const chains = partitionChains(options.chainId ?? randomBytes(4).toString('hex'));
  const peers = options.peers ?? [];
  const peerIps = await Promise.all(peers.map(async (p) => (typeof p === 'string' ? p : nodeIpv4(p))));
  const peerLabel = peers.map((p, i) => (typeof p === 'string' ? p : `${p.name} (${peerIps[i]})`)).join(', ');
  const description = peers.length
    ? `partition ${node.name} from ${peerLabel} (SSH kept)`
    : `partition ${node.name} from all peers (SSH and loopback kept)`;
  const port = options.verifyPort ?? 5432;
  if (port === 22) throw new UsageError('verifyPort 22 stays open during a partition: pick another port');
  const waitMs = options.probeWaitMs ?? 2_000;
  const plan: FaultPlan = {
    kind: 'partition',
    node,
    description,
    inject: partitionInjectArgv(chains, peerIps),
    revert: partitionRevertArgv(chains),
    maxDurationMs: options.maxDurationMs,
  };
  const verifier = options.verifyFrom;
  if (!verifier) return plan;
  const [nodeIp, verifierIp] = await Promise.all([nodeIpv4(node), nodeIpv4(verifier)]);
  if (peerIps.length && !peerIps.includes(verifierIp)) {
    throw new UsageError(`verifyFrom ${verifier.name} (${verifierIp}) is not one of the partitioned peers`);
  }
  const both = (signal?: AbortSignal): Promise<[TcpProbeResult, TcpProbeResult]> =>
    Promise.all([
      probeTcp(verifier, nodeIp, port, waitMs, signal),
      probeTcp(node, verifierIp, port, waitMs, signal),
    ]);
  return {
    ...plan,
    async verifyInForce(signal) {
      const [inbound, outbound] = await both(signal);
      const cut = (r: TcpProbeResult): boolean =>
        r.outcome === 'no-answer' || r.outcome === 'blocked-locally';
      if (inbound.outcome !== 'no-answer' || !cut(outbound)) {
        throw new Error(`partition of ${node.name} not in force: ${inbound.detail}; ${outbound.detail}`);
      }
    },
    async verifyHealed(signal) {
      // Right after the revert both directions must answer; a few tries absorb a slow first SYN.
      let last = '';
      for (let attempt = 0; attempt < 3; attempt++) {
        const [inbound, outbound] = await both(signal);
        if (inbound.outcome === 'answered' && outbound.outcome === 'answered') return;
        last = `${inbound.detail}; ${outbound.detail}`;
      }
      throw new Error(`partition of ${node.name} still in effect after heal: ${last}`);
    },
  };
}

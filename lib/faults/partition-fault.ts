import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { markNodeCut } from '../k8s/cut-nodes.js';
import type { NodeAccess } from '../nodes/node-access.js';
import type { CheckSide, FaultVerification, NodeCheck } from './fault-checks.js';
import type { FaultPlan } from './fault-plan.js';
import {
  assertPeerIpv4,
  DEFAULT_KEPT_TCP_PORTS,
  partitionChains,
  partitionInjectArgv,
  partitionRevertArgv,
} from './partition-rules.js';
import { classifyTcpProbe, tcpProbeArgv, tcpProbeDetail, type TcpReachability } from './tcp-reachability.js';

/** How long a verification probe waits for an answer before calling it "no answer". */
export const PARTITION_PROBE_WAIT_MS = 2_000;

/** How a partition is verified: TCP between the node and a peer node, both ways, on `port`. */
export interface PartitionCheck {
  /** The peer node that looks: its TCP to the node must time out in force and answer after heal. */
  readonly from: NodeAccess;
  /**
   * The port probed: the SUT's partitionProbePort (sut.ts), one every node listens on. A closed port
   * would do too (an RST is an answer), but not 22: SSH stays open through a partition.
   */
  readonly port: number;
  /** Default PARTITION_PROBE_WAIT_MS. */
  readonly probeWaitMs?: number;
}

export interface PartitionOptions {
  /** Cut only these peers (nodes or IPv4 addresses); default: everything except SSH and loopback. */
  readonly peers?: readonly (NodeAccess | string)[];
  /** Bound of the node-side auto-revert timer. */
  readonly maxDurationMs: number;
  /** None: applied unverified. */
  readonly verify?: PartitionCheck;
  /** Chain id (default random); the chains are PXCHAOS-<id>-IN and PXCHAOS-<id>-OUT. */
  readonly chainId?: string;
}

/** Both ends of a verified partition: names, and addresses (IPv4 when injected, placeholders in a plan). */
export interface PartitionEnds {
  readonly node: string;
  readonly nodeIp: string;
  readonly peer: string;
  readonly peerIp: string;
}

const cut = (o: TcpReachability): boolean => o === 'no-answer' || o === 'blocked-locally';

/**
 * The checks of a partition: in force, TCP from the peer to the node gets no answer and TCP back is
 * dropped too (or refused by the node's own OUTPUT rules); healed, both answer (tried three times:
 * a first SYN right after the revert can be slow).
 */
export function partitionVerification(ends: PartitionEnds, port: number, waitMs: number): FaultVerification {
  const probe = (on: CheckSide, expect: string, ok: (o: TcpReachability) => boolean): NodeCheck => {
    const [from, toIp] = on === 'peer' ? [ends.peer, ends.nodeIp] : [ends.node, ends.peerIp];
    return {
      on,
      argv: tcpProbeArgv(toIp, port, waitMs),
      expect: `TCP ${from} → ${toIp}:${port} ${expect}`,
      timeoutMs: waitMs + 10_000,
      judge(r) {
        const outcome = classifyTcpProbe(r.exitCode, r.stderr);
        return { ok: ok(outcome), detail: tcpProbeDetail(from, toIp, port, outcome, r.stderr) };
      },
    };
  };
  return {
    inForce: [
      probe('peer', 'must get no answer', (o) => o === 'no-answer'),
      probe('node', 'must get no answer (or be refused locally)', cut),
    ],
    healed: [
      probe('peer', 'must answer', (o) => o === 'answered'),
      probe('node', 'must answer', (o) => o === 'answered'),
    ],
    healedTries: 3,
    inForceShows: `from ${ends.peer}: TCP to ${ends.node}:${port} times out`,
    healedShows: `${ends.node} answers again`,
  };
}

/**
 * The partition of `node`, inert: building it runs no node command. The peers' and the verifier's
 * addresses are looked up when it is injected (FaultPlan.prepare).
 */
export function partitionPlan(node: NodeAccess, options: PartitionOptions): FaultPlan {
  const chains = partitionChains(options.chainId ?? randomBytes(4).toString('hex'));
  const peers = options.peers ?? [];
  for (const p of peers) if (typeof p === 'string') assertPeerIpv4(p);
  const check = options.verify;
  const kept = node.keptTcpPorts ?? DEFAULT_KEPT_TCP_PORTS;
  if (check && kept.includes(check.port))
    throw new UsageError(
      `a partition is verified on port ${check.port}, which it keeps open: pick another port`,
    );
  if (check?.from === node) throw new UsageError(`${node.name} cannot verify its own partition`);
  const peerLabel = peers.map((p) => (typeof p === 'string' ? p : p.name)).join(', ');
  const keptLabel = kept === DEFAULT_KEPT_TCP_PORTS ? 'SSH' : `TCP ${kept.join(', ')}`;
  const via = node.viaKubeletOf;
  return {
    kind: 'partition',
    node,
    description: peers.length
      ? `partition ${node.name} from ${peerLabel} (${keptLabel} kept)`
      : `partition ${node.name} from all peers (${keptLabel} and loopback kept)`,
    revert: partitionRevertArgv(chains),
    maxDurationMs: options.maxDurationMs,
    // The kubelet port kept for the helper pod: the harness's other routes through it act as cut.
    ...(via !== undefined && peers.length === 0 && { mirror: () => markNodeCut(via) }),
    async prepare(addressOf, signal) {
      const peerIps = await Promise.all(
        peers.map((p) => (typeof p === 'string' ? Promise.resolve(p) : addressOf(p, signal))),
      );
      const inject = partitionInjectArgv(chains, peerIps, kept);
      if (!check) return { inject };
      const [nodeIp, peerIp] = await Promise.all([addressOf(node, signal), addressOf(check.from, signal)]);
      if (peerIps.length && !peerIps.includes(peerIp))
        throw new UsageError(
          `${check.from.name} (${peerIp}) cannot verify the partition: it is not one of the cut peers`,
        );
      const ends = { node: node.name, nodeIp, peer: check.from.name, peerIp };
      return {
        inject,
        peer: check.from,
        verification: partitionVerification(ends, check.port, check.probeWaitMs ?? PARTITION_PROBE_WAIT_MS),
      };
    },
  };
}

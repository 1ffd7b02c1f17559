import { UsageError } from '../errors.js';
import type { NodeAccess } from '../nodes/node-access.js';
import type { FaultSurface } from '../targets/target.js';
import type { FaultPlan } from './fault-plan.js';
import { agentCrashPlan, driveOfflinePlan, sutPartitionPlan, type DriveMode } from './sut-fault-plans.js';

/**
 * The faults of `pxchaos inject`, built on the target's fault surface with the same definitions a
 * run uses (sut-fault-plans.ts), so a partition is verified on the port the SUT declares.
 */

/** How much longer than --for the node-side timer waits before reverting on its own. */
export const AUTO_REVERT_MARGIN_MS = 10_000;

/** What of the surface the plans need: not its close. */
export type HandFaultSurface = Omit<FaultSurface, 'close'>;

/** A node of the surface by name, or a UsageError (exit 2) listing the known ones. */
export function surfaceNode(surface: HandFaultSurface, name: string): NodeAccess {
  const node = surface.nodes.get(name);
  if (node) return node;
  const known = [...surface.nodes.keys()].sort();
  throw new UsageError(
    known.length
      ? `unknown node '${name}' in ${surface.where}; known nodes: ${known.join(', ')}`
      : `unknown node '${name}' in ${surface.where}: ${surface.noNodesHint ?? 'it has no nodes (is it up?)'}`,
  );
}

export interface HandPartition {
  readonly node: string;
  /** Node names or IPv4 addresses to cut; none: all traffic but SSH and loopback. */
  readonly peers: readonly string[];
  readonly forMs: number;
  readonly verify: boolean;
}

/**
 * `pxchaos inject partition`: verified from the first peer node named, else (cutting all) from any
 * other node of the surface; `verifier` is absent when there is none, or with --no-verify.
 */
export function handPartitionPlan(
  surface: HandFaultSurface,
  request: HandPartition,
): { readonly plan: FaultPlan; readonly verifier?: NodeAccess } {
  const node = surfaceNode(surface, request.node);
  const peers = request.peers.map((p) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(p) ? p : surfaceNode(surface, p)));
  if (peers.includes(node)) throw new UsageError(`--peers: ${node.name} cannot be its own peer`);
  const peerNodes = peers.filter((p): p is NodeAccess => typeof p !== 'string');
  const verifier = request.verify
    ? (peerNodes[0] ?? (peers.length === 0 ? [...surface.nodes.values()].find((n) => n !== node) : undefined))
    : undefined;
  const plan = sutPartitionPlan(surface, node, {
    peers,
    maxDurationMs: request.forMs + AUTO_REVERT_MARGIN_MS,
    ...(verifier && { verifier }),
  });
  return { plan, ...(verifier && { verifier }) };
}

export interface HandSutFault {
  readonly node: string;
  readonly forMs: number;
  /** drive-offline: I/O fails (error) or blocks (hang); unset: error, or hang where the drive only hangs. */
  readonly mode?: DriveMode;
}

/** `pxchaos inject agent-down | drive-offline`: the SUT's commands on the node (pxlab-agent, the storage driver's). */
export function handSutFaultPlan(
  surface: HandFaultSurface,
  verb: 'agent-down' | 'drive-offline',
  request: HandSutFault,
): FaultPlan {
  const node = surfaceNode(surface, request.node);
  const maxDurationMs = request.forMs + AUTO_REVERT_MARGIN_MS;
  return verb === 'agent-down'
    ? agentCrashPlan(verb, surface, node, maxDurationMs)
    : driveOfflinePlan(verb, surface, node, request.mode, maxDurationMs);
}

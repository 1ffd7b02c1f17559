import type { NodeAccess } from '../nodes/node-access.js';
import type { AgentCommands, DriveCommands, SutFaultCommands } from '../sut/sut.js';
import { commandPlan, type FaultCommands } from './command-plan.js';
import type { FaultPlan } from './fault-plan.js';
import { partitionPlan } from './partition-fault.js';

/**
 * The faults on a SUT's node, one definition each, built from its SutFaultCommands: a run (through
 * the scenario catalog), `pxchaos inject` and `pxchaos plan` all build them here.
 */

/**
 * The agent crashed and started again (`pxchaos inject agent-down`, both agent scenarios). A crash,
 * not a clean stop: a clean Patroni stop hands the leader key over at once, a switchover rather than
 * an outage. An agent that restarts itself after a crash cannot be kept down past its grace window
 * that way: `agent-down-past-grace` holds it down instead where the SUT says how (`holdDown`).
 */
export function agentCrashCommands(kind: string, agent: AgentCommands): FaultCommands {
  const holdDown = kind === 'agent-down-past-grace' ? agent.holdDown : undefined;
  const { kill, start } = holdDown ?? agent;
  // Held down (holdDown, or an agent that stays down): checked to stay down for the whole hold.
  const keptDown = holdDown !== undefined || agent.staysDown === true;
  return {
    inject: kill,
    revert: start,
    status: agent.status,
    component: 'agent',
    ...(keptDown && { keptDown }),
  };
}

export type DriveMode = 'error' | 'hang';

/**
 * The drive mode a fault uses: the configured one, else `error` where the drive can fail, `hang`
 * where it can only hang. A configured mode the drive cannot do is refused, saying which it can.
 */
export function driveModeOf(drive: DriveCommands, configured: DriveMode | undefined): DriveMode {
  if (configured === 'error' && !drive.error) throw new Error(HANG_ONLY);
  return configured ?? (drive.error ? 'error' : 'hang');
}

const HANG_ONLY =
  "this storage driver's drive cannot fail with I/O errors, only hang: set scenarios.drive-offline.driveMode (or --mode) to hang, or leave it unset";

/** The node's data drive failing (`error`: I/O fails) or hanging (`hang`: I/O blocks), then restored. */
export function driveOfflineCommands(drive: DriveCommands, mode: DriveMode): FaultCommands {
  const inject = mode === 'hang' ? drive.hang : drive.error;
  if (!inject) throw new Error(HANG_ONLY);
  return {
    inject,
    revert: drive.restore,
    status: drive.status,
    component: 'drive',
  };
}

export function agentCrashPlan(
  kind: string,
  sut: Pick<SutFaultCommands, 'agentCommands'>,
  node: NodeAccess,
  maxDurationMs: number,
): FaultPlan {
  return commandPlan(kind, node, agentCrashCommands(kind, sut.agentCommands(node.name)), maxDurationMs);
}

export function driveOfflinePlan(
  kind: string,
  sut: Pick<SutFaultCommands, 'driveCommands'>,
  node: NodeAccess,
  mode: DriveMode | undefined,
  maxDurationMs: number,
): FaultPlan {
  const drive = sut.driveCommands(node.name);
  return commandPlan(kind, node, driveOfflineCommands(drive, driveModeOf(drive, mode)), maxDurationMs);
}

export interface SutPartitionOptions {
  /** Cut only these peers (nodes or IPv4 addresses); default: all traffic but SSH and loopback. */
  readonly peers?: readonly (NodeAccess | string)[];
  /** The peer node that verifies the partition; none: applied unverified. */
  readonly verifier?: NodeAccess;
  readonly maxDurationMs: number;
}

/** The partition of `node`, verified from `verifier` on the port the SUT declares (Sut.partitionProbePort). */
export function sutPartitionPlan(
  sut: Pick<SutFaultCommands, 'partitionProbePort'>,
  node: NodeAccess,
  options: SutPartitionOptions,
): FaultPlan {
  return partitionPlan(node, {
    maxDurationMs: options.maxDurationMs,
    ...(options.peers && { peers: options.peers }),
    ...(options.verifier && { verify: { from: options.verifier, port: sut.partitionProbePort } }),
  });
}

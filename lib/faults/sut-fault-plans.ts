import type { NodeAccess } from '../nodes/node-access.js';
import type { Sut } from '../sut/sut.js';
import { commandPlan } from './command-plan.js';
import type { FaultPlan } from './fault-plan.js';

/**
 * The agent crashed and started again (`pxchaos inject agent-down`, both agent scenarios). A crash,
 * not a clean stop: a clean Patroni stop hands the leader key over at once, a switchover rather than
 * an outage.
 */
export function agentCrashPlan(
  kind: string,
  sut: Pick<Sut, 'agentCommands'>,
  node: NodeAccess,
  maxDurationMs: number,
): FaultPlan {
  const agent = sut.agentCommands(node.name);
  // An agent that restarts itself after a crash cannot be kept down past its grace window that way.
  const { kill, start } = kind === 'agent-down-past-grace' && agent.holdDown ? agent.holdDown : agent;
  return commandPlan(kind, node, kill, start, agent.status, maxDurationMs);
}

/** The node's data drive failing (`error`: I/O fails) or hanging (`hang`: I/O blocks), then restored. */
export function driveOfflinePlan(
  kind: string,
  sut: Pick<Sut, 'driveCommands'>,
  node: NodeAccess,
  mode: 'error' | 'hang',
  maxDurationMs: number,
): FaultPlan {
  const drive = sut.driveCommands(node.name);
  return commandPlan(
    kind,
    node,
    mode === 'hang' ? drive.hang : drive.error,
    drive.restore,
    drive.status,
    maxDurationMs,
  );
}

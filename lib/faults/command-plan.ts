import type { FaultPlan } from './fault-plan.js';
import type { NodeAccess } from '../nodes/node-access.js';

/**
 * A fault made of two node commands (agent kill/start, drive error/restore), verified by a status
 * command that exits 0 when the component is healthy.
 */
export function commandPlan(
  kind: string,
  node: NodeAccess,
  inject: readonly string[],
  revert: readonly string[],
  status: readonly string[],
  maxDurationMs: number,
): FaultPlan {
  const healthy = async (signal?: AbortSignal): Promise<boolean> =>
    (await node.exec(status, { check: false, timeoutMs: 15_000, ...(signal ? { signal } : {}) })).exitCode ===
    0;
  return {
    kind,
    node,
    description: `${kind} on ${node.name}: ${inject.join(' ')} (revert: ${revert.join(' ')})`,
    inject,
    revert,
    maxDurationMs,
    async verifyInForce(signal) {
      if (await healthy(signal))
        throw new Error(`${kind} on ${node.name}: '${status.join(' ')}' still reports healthy`);
    },
    async verifyHealed(signal) {
      if (!(await healthy(signal)))
        throw new Error(`${kind} on ${node.name}: '${status.join(' ')}' still reports a fault`);
    },
  };
}

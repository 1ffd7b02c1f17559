import type { NodeAccess } from '../nodes/node-access.js';
import type { FaultVerification, NodeCheck } from './fault-checks.js';
import type { FaultPlan } from './fault-plan.js';

/** A fault made of node commands (agent kill/start, drive error/restore) and a health status. */
export interface FaultCommands {
  readonly inject: readonly string[];
  readonly revert: readonly string[];
  /** Exits 0 while the component is healthy. */
  readonly status: readonly string[];
  /** What the status is of, for messages and `pxchaos plan` ("agent", "drive"). */
  readonly component: string;
  /**
   * Nothing but the revert brings the component back (a stopped agent that stays down): the status
   * is checked through the whole hold, and the fault has lapsed if it is healthy again before the heal.
   */
  readonly keptDown?: boolean;
}

/** How often a kept-down component's status is checked during the hold. */
export const KEPT_DOWN_EVERY_MS = 5_000;

/**
 * In force, the status command exits non-zero on the node (and keeps doing so until the heal when
 * `keptDown`); healed, it exits 0.
 */
export function statusVerification(node: string, commands: FaultCommands): FaultVerification {
  const { status, component } = commands;
  const shown = `'${status.join(' ')}'`;
  const check = (expect: string, ok: (exitCode: number) => boolean): NodeCheck => ({
    on: 'node',
    argv: status,
    expect,
    timeoutMs: 15_000,
    judge: (r) => ({ ok: ok(r.exitCode), detail: `${shown} exited ${r.exitCode} on ${r.node}` }),
  });
  const down = check(`must exit non-zero (${component} down)`, (code) => code !== 0);
  return {
    inForce: [down],
    ...(commands.keptDown && {
      held: {
        checks: [{ ...down, expect: `must exit non-zero until the heal (${component} kept down)` }],
        everyMs: KEPT_DOWN_EVERY_MS,
        lapsedShows: `the ${component} was up again on ${node}`,
      },
    }),
    healed: [check(`must exit 0 (${component} up)`, (code) => code === 0)],
    inForceShows: `on ${node}: ${shown} reports the ${component} down`,
    healedShows: `${shown} reports the ${component} up on ${node}`,
  };
}

/** The fault of `commands` on `node`, inert (its argv need nothing from the nodes). */
export function commandPlan(
  kind: string,
  node: NodeAccess,
  commands: FaultCommands,
  maxDurationMs: number,
): FaultPlan {
  const prepared = { inject: commands.inject, verification: statusVerification(node.name, commands) };
  return {
    kind,
    node,
    description: `${kind} on ${node.name}: ${commands.inject.join(' ')} (revert: ${commands.revert.join(' ')})`,
    revert: commands.revert,
    maxDurationMs,
    prepare: () => Promise.resolve(prepared),
  };
}

import type { NodeAccess } from '../nodes/node-access.js';

/**
 * The inert description of a fault on one node: what to run to apply it and to revert it,
 * as argv arrays so the revert can be journaled and replayed by `pxchaos heal` or by the
 * node-side auto-revert timer. Nothing happens until `inject()` (see fault.ts).
 */
export interface FaultPlan {
  /** partition | agent-restart-within-grace | agent-down-past-grace | drive-offline | agent-down */
  readonly kind: string;
  readonly node: NodeAccess;
  /** Human one-liner for logs and the journal. */
  readonly description: string;
  readonly inject: readonly string[];
  /** Must be idempotent: it may run from heal, from the timer, and from `pxchaos heal`. */
  readonly revert: readonly string[];
  /** After this the node-side timer reverts the fault on its own, even if the harness was SIGKILLed. */
  readonly maxDurationMs: number;
  /** Throws unless the fault has provably taken hold (e.g. TCP from a peer now times out). */
  verifyInForce?(signal?: AbortSignal): Promise<void>;
  /** Throws unless the fault is provably gone. */
  verifyHealed?(signal?: AbortSignal): Promise<void>;
}

import type { NodeAccess } from '../nodes/node-access.js';
import type { FaultVerification } from './fault-checks.js';

/** A node's IPv4 address as its peers see it: nodeIpv4 when injecting, a placeholder in `pxchaos plan`. */
export type AddressOf = (node: NodeAccess, signal?: AbortSignal) => Promise<string>;

/**
 * The inert description of a fault on one node. Building one runs no node command: what needs the
 * nodes (a partition's addresses) is looked up by `prepare`, which `inject()` calls (fault.ts).
 * The revert is an argv array known from the start, so it can be journaled and replayed by
 * `pxchaos heal` or by the node-side auto-revert timer.
 */
export interface FaultPlan {
  /** partition | agent-restart-within-grace | agent-down-past-grace | drive-offline | agent-down */
  readonly kind: string;
  readonly node: NodeAccess;
  /** Human one-liner for logs and the journal. */
  readonly description: string;
  /** Must be idempotent: it may run from heal, from the timer, and from `pxchaos heal`. */
  readonly revert: readonly string[];
  /** After this the node-side timer reverts the fault on its own, even if the harness was SIGKILLed. */
  readonly maxDurationMs: number;
  /**
   * The harness's own side of the fault, begun right before it is applied and ended (the returned
   * function) once it is reverted: a partition through a helper pod marks its node cut off for the
   * harness's other routes (lib/k8s/cut-nodes.ts).
   */
  readonly mirror?: () => () => void;
  /**
   * What applies the fault and shows it holding, with the addresses it needs from `addressOf`.
   * Runs no command but the lookups `addressOf` makes; throws (UsageError) on a plan that cannot be applied.
   */
  prepare(addressOf: AddressOf, signal?: AbortSignal): Promise<PreparedFault>;
}

/** A plan with its addresses resolved: the argv that applies it and how it is verified. */
export interface PreparedFault {
  readonly inject: readonly string[];
  /** The node that verifies the fault from outside (a partition's peer); its checks run `on: 'peer'`. */
  readonly peer?: NodeAccess;
  /** None: applied unverified (a partition with no peer node to look from). */
  readonly verification?: FaultVerification;
}

import { timerCancelArgv, timerStartArgvSleeping } from './auto-revert-timer.js';
import type { CheckSide, NodeCheck } from './fault-checks.js';
import type { FaultPlan, PreparedFault } from './fault-plan.js';

/** One command on one node, as `pxchaos plan` shows it. */
export interface NodeStep {
  /** The node (or a placeholder such as `<primary node>`). */
  readonly on: string;
  readonly purpose: string;
  readonly argv: readonly string[];
}

export interface TimerStep {
  /** The auto-revert timer's marker (timerMarker(fault id)). */
  readonly marker: string;
  /** The timer's sleep argument in seconds (a number, or a placeholder in a plan). */
  readonly sleep: string;
}

/**
 * Every node command one prepared fault runs, in the order `inject()` and its heal run them
 * (fault.ts): timer armed, inject, verified in force, (verified held, every few seconds until the
 * heal, when the fault must hold), revert, timer cancelled, verified healed.
 */
export function faultSteps(plan: FaultPlan, prepared: PreparedFault, timer: TimerStep): NodeStep[] {
  const nodeOf: Record<CheckSide, string> = { node: plan.node.name, peer: prepared.peer?.name ?? '<peer>' };
  const checks = (phase: string, list: readonly NodeCheck[] = []): NodeStep[] =>
    list.map((c) => ({ on: nodeOf[c.on], purpose: `verify ${phase}: ${c.expect}`, argv: c.argv }));
  const on = plan.node.name;
  return [
    {
      on,
      purpose: 'arm the node-side auto-revert timer (reverts even if the harness dies)',
      argv: timerStartArgvSleeping(timer.marker, timer.sleep, plan.revert),
    },
    { on, purpose: 'inject', argv: prepared.inject },
    ...checks('in force', prepared.verification?.inForce),
    ...checks(
      `held (every ${(prepared.verification?.held?.everyMs ?? 0) / 1000} s until the heal)`,
      prepared.verification?.held?.checks,
    ),
    { on, purpose: 'revert (idempotent; also what the timer and `pxchaos heal` run)', argv: plan.revert },
    { on, purpose: 'cancel the auto-revert timer', argv: timerCancelArgv(timer.marker) },
    ...checks('healed', prepared.verification?.healed),
  ];
}

import { timerCancelArgv, timerStartArgvSleeping } from './auto-revert-timer.js';

/** One command on one node, as `pxchaos plan` shows it. */
export interface NodeStep {
  /** The node (or a placeholder such as `<primary node>`). */
  readonly on: string;
  readonly purpose: string;
  readonly argv: readonly string[];
}

export interface FaultStepsInput {
  /** The node the fault is applied to. */
  readonly node: string;
  /** The auto-revert timer's marker (timerMarker(fault id)). */
  readonly timerMarker: string;
  /** The timer's sleep argument in seconds (a number, or a placeholder in a plan). */
  readonly timerSleep: string;
  readonly inject: readonly string[];
  readonly revert: readonly string[];
  readonly verifyInForce: readonly NodeStep[];
  readonly verifyHealed: readonly NodeStep[];
}

/**
 * Every node command one fault runs, in the order `inject()` and its heal run them (fault.ts):
 * timer armed, inject, verified in force, (held), revert, timer cancelled, verified healed.
 */
export function faultSteps(f: FaultStepsInput): NodeStep[] {
  return [
    {
      on: f.node,
      purpose: 'arm the node-side auto-revert timer (reverts even if the harness dies)',
      argv: timerStartArgvSleeping(f.timerMarker, f.timerSleep, f.revert),
    },
    { on: f.node, purpose: 'inject', argv: f.inject },
    ...f.verifyInForce,
    {
      on: f.node,
      purpose: 'revert (idempotent; also what the timer and `pxchaos heal` run)',
      argv: f.revert,
    },
    { on: f.node, purpose: 'cancel the auto-revert timer', argv: timerCancelArgv(f.timerMarker) },
    ...f.verifyHealed,
  ];
}

import { formatDuration } from '../../time/duration.js';
import { stepNote } from '../step-gate.js';
import { waitForCondition } from '../until.js';
import type { Acted } from './act.js';
import type { Arranged } from './arrange.js';
import type { ScenarioContext } from './scenario-context.js';
import { unhealthyNow } from './settle.js';

/** Past the expected recovery, how long the fault is held before the scenario gives up waiting. */
export const OBSERVE_MARGIN_MS = 30_000;

/**
 * Observe: the fault is held until its heal condition (recovered, or held for its time) or the
 * deadline, with a countdown; a vanished target ends it at once. Not recovered: the cause is recorded.
 */
export async function observe(
  ctx: ScenarioContext,
  arranged: Arranged,
  acted: Acted,
  marginMs = OBSERVE_MARGIN_MS,
): Promise<void> {
  const { progress, timeline, live, values } = ctx;
  const { expectation } = acted.faultTarget;
  const healWhen = acted.scenario.healWhen(acted.faultTarget);
  const deadlineMs = Math.max(expectation.holdMs, expectation.recoveryWithinMs) + marginMs;
  ctx.mark(`observe: until ${healWhen.description} (at most ${formatDuration(deadlineMs)})`);
  if (ctx.step) {
    // A presenter's pause must not stretch a time-bound fault: the heal is on a schedule.
    stepNote(
      true,
      `The fault is in force; it is healed on schedule in ${formatDuration(expectation.holdMs)} (at the earliest), without waiting for Enter.`,
    );
    progress.startCountdown(
      'scheduled heal',
      progress.elapsedMs() + expectation.holdMs,
      () => `${live.summary()}; heal when ${healWhen.description}`,
    );
  } else
    progress.startCountdown('expected recovery', progress.elapsedMs() + expectation.recoveryWithinMs, () =>
      live.summary(),
    );
  try {
    const outcome = await waitForCondition(healWhen, live, {
      clock: () => timeline.now(),
      deadlineMs,
      alsoCheck: () => ctx.held.presence?.throwIfGone(),
      signal: ctx.within(deadlineMs + 60_000),
    });
    values.hold_ms = Math.round(outcome.heldMs);
    if (!outcome.met) {
      // Not back when the wait ends: what the SUT says is wrong names the cause in the RTO check.
      values.unrecovered_cause = await unhealthyNow(ctx, arranged.sut);
      ctx.mark(`observe: not recovered after ${formatDuration(values.hold_ms)}: ${values.unrecovered_cause}`);
    }
  } finally {
    progress.stopCountdown();
  }
}

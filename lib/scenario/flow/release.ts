import type { ScenarioContext } from './scenario-context.js';

/** Lets go of what the phases hold, whatever happened: countdown, presence watch, fault (healed), workload. */
export async function releaseHeld(ctx: ScenarioContext): Promise<void> {
  const { held } = ctx;
  ctx.progress.stopCountdown();
  held.presence?.stop();
  const fault = held.fault;
  held.fault = undefined;
  if (fault) await fault[Symbol.asyncDispose]();
  await held.workload?.stop();
}

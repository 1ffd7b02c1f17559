import type { Sut, SutHealth } from '../../sut/sut.js';
import type { ScenarioContext } from './scenario-context.js';

/** Settle before the first fault when a scenario has no expectation of its own (a previous one may still heal). */
export const SETTLE_TIMEOUT_MS = 180_000;

/** sut.settle within `settleMs`, printing what it still waits for every 20 s (self-heal takes minutes). */
export async function settleShowingProgress(
  ctx: ScenarioContext,
  sut: Sut,
  settleMs: number,
  what: string,
): Promise<SutHealth> {
  const { progress } = ctx;
  let waitingFor = 'the first health check';
  progress.startCountdown(what, progress.elapsedMs() + settleMs, () => `waiting for ${waitingFor}`, 20_000);
  try {
    return await sut.settle(ctx.within(settleMs), (h) => {
      waitingFor = h.problems.join('; ') || 'a healthy check';
    });
  } finally {
    progress.stopCountdown();
  }
}

/** The health after a settle, or why it did not settle (the cluster's health after the heal). */
export async function settleOrReport(settle: () => Promise<SutHealth>): Promise<SutHealth> {
  try {
    return await settle();
  } catch (err) {
    return { healthy: false, problems: [`did not settle: ${(err as Error).message}`] };
  }
}

/** The SUT's problems right now, one line (a failed health check says so instead). */
export async function unhealthyNow(ctx: ScenarioContext, sut: Sut): Promise<string> {
  const health = await sut.health(ctx.within(30_000)).catch((err: unknown) => ({
    problems: [`health check failed: ${(err as Error).message}`],
  }));
  return health.problems.join('; ') || 'the SUT reports no problem';
}

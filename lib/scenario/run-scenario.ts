import { onInterrupt } from '../faults/signal-heal.js';
import type { FaultKind } from '../sut/expectations.js';
import type { Placement } from '../sut/placement.js';
import { act } from './flow/act.js';
import { arrange } from './flow/arrange.js';
import { heal } from './flow/heal.js';

import { observe } from './flow/observe.js';
import { readBack } from './flow/read-back.js';
import { releaseHeld } from './flow/release.js';
import { scenarioContext, type ScenarioContext } from './flow/scenario-context.js';
import { runSettings, type RunSettings } from './run-settings.js';
import { saveJudged } from './scenario-files.js';

import { judge, type ScenarioOutcome } from './flow/judge.js';

export type { ScenarioOutcome };

/**
 * One scenario, design.md's flow in phases (lib/scenario/flow/): arrange → act → observe → heal,
 * then read back → judge. What a phase acquired is always let go (the fault healed) before the
 * read-back, also when a phase throws; checks are computed from the timeline and the facts.
 */
export async function runScenario(
  kind: FaultKind,
  placement: Placement = 'primary',
  settings?: RunSettings,
  repetition?: number,
): Promise<ScenarioOutcome> {
  const ctx = scenarioContext(kind, placement, settings ?? (await runSettings()), { repetition });
  // On SIGINT/SIGTERM (after the fault is healed) the result of what ran is still saved.
  const unhookInterrupt = onInterrupt((reason) => saveInterrupted(ctx, reason));
  try {
    let error: string | undefined;
    try {
      const arranged = await arrange(ctx);
      const acted = await act(ctx, arranged);
      await observe(ctx, arranged, acted);
      await heal(ctx, arranged);
    } catch (err) {
      error = (err as Error).message;
      ctx.progress.step(`stopped early: ${error}`);
    } finally {
      await releaseHeld(ctx);
    }
    const ledger = await readBack(ctx);
    return await judge(ctx, ledger, error);
  } finally {
    unhookInterrupt();
  }
}

/** Interrupted: what ran is saved, every check failing with the phase it stopped in. */
async function saveInterrupted(ctx: ScenarioContext, reason: string): Promise<void> {
  ctx.progress.stopCountdown();
  ctx.timeline.record({ kind: 'step', name: `interrupted by ${reason}` });
  const interrupted = { reason, phase: ctx.phase };
  const flow = { facts: { ...ctx.facts }, interrupted, durationMs: ctx.progress.elapsedMs() };
  await saveJudged(ctx.config.reportDir, ctx.timeline.toData(ctx.meta(), { values: ctx.values, flow }));
}

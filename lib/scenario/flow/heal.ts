import { setTimeout as sleep } from 'node:timers/promises';
import { stepGate, stepNote } from '../step-gate.js';
import type { Arranged } from './arrange.js';
import type { ScenarioContext } from './scenario-context.js';
import { settleOrReport, settleShowingProgress } from './settle.js';

/** Writes after the SUT settled, so the timeline shows service is back. */
const AFTERMATH_MS = 3000;

/** Heal: the fault reverted (on schedule, never waiting for Enter), then the SUT settles; its health is a fact. */
export async function heal(ctx: ScenarioContext, arranged: Arranged): Promise<void> {
  const { held, facts, values, timeline } = ctx;
  const fault = held.fault;
  if (!fault) throw new Error('heal: no fault in force');
  stepNote(
    ctx.step,
    `Healing the fault on ${arranged.node.name} now, on schedule; then the cluster settles.`,
  );
  ctx.mark('heal');
  try {
    await fault.heal();
  } catch (err) {
    // The storage (or agent) refused to come back: that is the cluster's health after the heal.
    facts.health = { healthy: false, problems: [`the heal failed: ${(err as Error).message}`] };
    throw err;
  }
  held.fault = undefined;
  ctx.mark('heal: waiting for the cluster to settle');
  const settleFrom = timeline.now();
  facts.health = await settleOrReport(() =>
    settleShowingProgress(ctx, arranged.sut, arranged.settleMs, 'settle'),
  );
  values.settle_ms = Math.round(timeline.now() - settleFrom);
  await sleep(AFTERMATH_MS, undefined, { signal: ctx.within(AFTERMATH_MS + 1000) });
  // The pause comes after the time-bound part, before the next action.
  await stepGate(
    ctx.step,
    "Healed on schedule. Next: read back the ledger, count rows, check pgbench's tables, look for leftovers.",
    { signal: ctx.signal, view: ctx.view?.page },
  );
}

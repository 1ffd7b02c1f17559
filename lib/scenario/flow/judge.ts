import { liveResult } from '../../live/live-result.js';
import type { LedgerReadBack } from '../../observe/ledger-check.js';
import { outsideFaults } from '../outside-faults.js';
import { saveJudged } from '../scenario-files.js';
import type { Metrics } from '../../observe/metrics.js';
import type { CheckedVerdict } from '../scenario-verdicts.js';
import type { ScenarioContext } from './scenario-context.js';

export interface ScenarioOutcome {
  readonly checks: readonly CheckedVerdict[];
  readonly metrics: Metrics;
  /** Why the flow stopped early, if it did. */
  readonly error?: string;
}

/**
 * Judge: other processes' faults on the run's nodes in its window looked up, the record saved (the
 * timeline with the flow's facts), then metrics and checks computed from that record alone.
 */
export async function judge(
  ctx: ScenarioContext,
  ledger: LedgerReadBack | undefined,
  error: string | undefined,
): Promise<ScenarioOutcome> {
  const { facts, values, held } = ctx;
  const nodes = held.lease?.target.sut.nodes;
  if (nodes && held.measuringFrom) {
    facts.outsideFaults = await outsideFaults(nodes, { from: held.measuringFrom, to: new Date() }).catch(
      (err: unknown) => [`the fault journal could not be read: ${(err as Error).message}`],
    );
    values.outside_faults = facts.outsideFaults.length;
    for (const line of facts.outsideFaults) ctx.mark(`assert: disturbed by an outside fault: ${line}`);
  }
  const flow = {
    facts: { ...facts },
    ...(error !== undefined && { error }),
    durationMs: ctx.progress.elapsedMs(),
  };
  const data = ctx.timeline.toData(ctx.meta(), { values, ...(ledger && { ledger }), flow });
  const { judged, result } = await saveJudged(ctx.config.reportDir, data);
  ctx.view?.page.result(ctx.view.id, liveResult(result));
  const { checks, metrics } = judged;
  ctx.progress.step(`done: ${checks.filter((c) => c.verdict.passed).length}/${checks.length} checks passed`);
  return { checks, metrics, ...(error !== undefined && { error }) };
}

import type { LedgerReadBack } from '../../observe/ledger-check.js';
import { computeMetrics } from '../../observe/metrics.js';
import { outsideFaults } from '../outside-faults.js';
import { saveScenario } from '../scenario-files.js';
import { scenarioVerdicts } from '../scenario-verdicts.js';
import type { ScenarioOutcome } from '../run-scenario.js';
import type { ScenarioContext } from './scenario-context.js';

/**
 * Judge: other processes' faults on the run's nodes in its window looked up, then metrics and
 * checks computed from the timeline and the facts, and the result saved next to the timeline.
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
  const data = ctx.timeline.toData(ctx.meta(), { values, ...(ledger && { ledger }) });
  const metrics = computeMetrics(data);
  const checks = scenarioVerdicts(facts, metrics, error);
  await saveScenario(
    ctx.config.reportDir,
    data,
    metrics,
    checks.map((c) => c.verdict),
    ctx.progress.elapsedMs(),
  );
  ctx.progress.step(`done: ${checks.filter((c) => c.verdict.passed).length}/${checks.length} checks passed`);
  return { checks, metrics, ...(error !== undefined && { error }) };
}

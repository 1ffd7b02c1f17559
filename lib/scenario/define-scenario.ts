import type { FaultKind } from '../sut/expectations.js';
import { expandPlacement, type Placement } from '../sut/placement.js';
import { CheckFailure } from './check-failure.js';
import { runScenario, type ScenarioOutcome } from './run-scenario.js';
import { runSettings } from './run-settings.js';
import { CHECK, CHECK_KEYS } from './verdict-names.js';

/**
 * Declares one scenario as a mocha suite per placement (the config's `placement`, which
 * `--placement` sets: `all` is one suite each): the whole flow (arrange, act, observe, heal) runs
 * once in `before`, then one test per verdict reads its outcome. Chaos specs are never retried.
 * Async because the placement comes from the config (spec files await it at their top level).
 */
export async function defineScenario(kind: FaultKind): Promise<void> {
  for (const placement of expandPlacement((await runSettings()).config.placement))
    definePlaced(kind, placement);
}

function definePlaced(kind: FaultKind, placement: Placement): void {
  describe(placement === 'primary' ? kind : `${kind} [${placement}]`, function () {
    this.retries(0);
    let outcome: ScenarioOutcome | undefined;

    before(async function () {
      this.timeout(0); // the scenario has its own deadlines, derived from the expectations
      outcome = await runScenario(kind, placement);
    });

    for (const key of CHECK_KEYS) {
      it(CHECK[key], function () {
        if (!outcome) throw new CheckFailure('the scenario did not run');
        const checked = outcome.checks.find((c) => c.key === key);
        if (!checked)
          throw new CheckFailure(`not reached: ${outcome.error ?? 'the scenario stopped before this check'}`);
        if (!checked.verdict.passed) throw new CheckFailure(checked.verdict.message ?? CHECK[key]);
      });
    }
  });
}

import type { FaultKind } from '../sut/expectations.js';
import { expandPlacement, type Placement } from '../sut/placement.js';
import { checkOverRepetitions, runRepetitions } from './repetitions-of-scenario.js';
import { runScenario, type ScenarioOutcome } from './run-scenario.js';
import { runSettings } from './run-settings.js';
import { CHECK, CHECK_KEYS } from './verdict-names.js';

/**
 * Declares one scenario as a mocha suite per placement (the config's `placement`, which
 * `--placement` sets: `all` is one suite each): the whole flow (arrange, act, observe, heal) runs
 * in `before` — `repeat` times (`--repeat`), one repetition after the other — then one test per
 * verdict reads the outcomes: it fails when any repetition failed, naming which. Chaos specs are
 * never retried. Async because the placement comes from the config (spec files await it at their
 * top level).
 */
export async function defineScenario(kind: FaultKind): Promise<void> {
  const { config } = await runSettings();
  for (const placement of expandPlacement(config.placement)) definePlaced(kind, placement, config.repeat);
}

function definePlaced(kind: FaultKind, placement: Placement, repeat: number): void {
  describe(placement === 'primary' ? kind : `${kind} [${placement}]`, function () {
    this.retries(0);
    let outcomes: ScenarioOutcome[] = [];

    before(async function () {
      this.timeout(0); // the scenario has its own deadlines, derived from the expectations
      const settings = await runSettings();
      outcomes = await runRepetitions(
        repeat,
        (repetition) => runScenario(kind, placement, settings, repetition),
        settings.signal,
      );
    });

    for (const key of CHECK_KEYS) {
      it(CHECK[key], function () {
        checkOverRepetitions(outcomes, key, CHECK[key]);
      });
    }
  });
}

import { acrossRepetitions } from '../report/check-across-repetitions.js';
import { CheckFailure } from './check-failure.js';
import type { ScenarioOutcome } from './flow/judge.js';
import type { CheckKey } from './verdict-names.js';

/**
 * `--repeat N`: one scenario N times in a row on the run's one arrangement (each repetition leases the
 * opened target, settles it and takes its own baseline, as the next scenario would). A run that is
 * interrupted stops between repetitions. With N = 1 the scenario runs once, unnumbered, as before.
 */
export async function runRepetitions(
  repeat: number,
  runOne: (repetition: number | undefined) => Promise<ScenarioOutcome>,
  signal: AbortSignal,
): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (let k = 1; k <= repeat && !signal.aborted; k++)
    outcomes.push(await runOne(repeat > 1 ? k : undefined));
  return outcomes;
}

/**
 * A check over the repetitions, as mocha's test of it: passes only when every repetition passed it;
 * else fails naming the repetitions (a message starting "flaky:" when others passed).
 */
export function checkOverRepetitions(
  outcomes: readonly ScenarioOutcome[],
  key: CheckKey,
  name: string,
): void {
  if (outcomes.length === 0) throw new CheckFailure('the scenario did not run');
  const verdicts = outcomes.map((outcome, i) => {
    const checked = outcome.checks.find((c) => c.key === key);
    return {
      repetition: i + 1,
      passed: checked?.verdict.passed,
      message: checked
        ? (checked.verdict.message ?? name)
        : `not reached: ${outcome.error ?? 'the scenario stopped before this check'}`,
    };
  });
  const across = acrossRepetitions(name, verdicts);
  if (across.state !== 'passed') throw new CheckFailure(across.message ?? name);
}

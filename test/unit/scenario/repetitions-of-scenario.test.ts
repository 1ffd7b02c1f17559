import { expect } from 'chai';
import { CheckFailure } from '../../../lib/scenario/check-failure.js';
import type { ScenarioOutcome } from '../../../lib/scenario/flow/judge.js';
import { checkOverRepetitions, runRepetitions } from '../../../lib/scenario/repetitions-of-scenario.js';
import { CHECK } from '../../../lib/scenario/verdict-names.js';

/** An outcome where the RPO check passed or failed (with a message), or was never reached. */
function outcome(rpo: boolean | 'not reached', error?: string): ScenarioOutcome {
  return {
    metrics: {},
    checks:
      rpo === 'not reached'
        ? []
        : [
            {
              key: 'noAckedLost',
              verdict: {
                name: CHECK.noAckedLost,
                passed: rpo,
                message: rpo ? 'lost 0' : 'expected 0 lost, measured 4',
                durationMs: 1,
              },
            },
          ],
    ...(error !== undefined && { error }),
  };
}

function failure(outcomes: ScenarioOutcome[]): string | undefined {
  try {
    checkOverRepetitions(outcomes, 'noAckedLost', CHECK.noAckedLost);
    return undefined;
  } catch (err) {
    expect(err).to.be.instanceOf(CheckFailure);
    return (err as Error).message;
  }
}

describe('--repeat: the repetitions of one scenario', () => {
  it('runs the scenario N times in order, numbered 1..N; once, unnumbered, when N = 1', async () => {
    const seen: (number | undefined)[] = [];
    const run = (n: number) =>
      runRepetitions(n, (k) => (seen.push(k), Promise.resolve(outcome(true))), new AbortController().signal);
    expect(await run(3)).to.have.length(3);
    expect(seen).to.deep.equal([1, 2, 3]);
    seen.length = 0;
    expect(await run(1)).to.have.length(1);
    expect(seen).to.deep.equal([undefined]);
  });

  it('stops between repetitions once the run is interrupted', async () => {
    const stop = new AbortController();
    const outcomes = await runRepetitions(
      5,
      (k) => {
        if (k === 2) stop.abort();
        return Promise.resolve(outcome(true));
      },
      stop.signal,
    );
    expect(outcomes).to.have.length(2);
  });

  it('passes a check only when every repetition passed it', () => {
    expect(failure([outcome(true), outcome(true), outcome(true)])).to.equal(undefined);
  });

  it('fails a check failed in some repetitions as flaky, naming them and quoting the first failure', () => {
    expect(failure([outcome(true), outcome(false), outcome(true), outcome(false)])).to.equal(
      'flaky: failed in repetitions 2, 4 of 4 (passed in 1, 3); repetition 2: expected 0 lost, measured 4',
    );
  });

  it('counts a repetition that never reached the check as failing it, saying why', () => {
    expect(failure([outcome('not reached', 'arrange: lab unhealthy'), outcome('not reached')])).to.equal(
      'failed in repetitions 1, 2 of 2; repetition 1: not reached: arrange: lab unhealthy',
    );
  });

  it('keeps a single run’s message as it was', () => {
    expect(failure([outcome(false)])).to.equal('expected 0 lost, measured 4');
    expect(failure([])).to.equal('the scenario did not run');
  });
});

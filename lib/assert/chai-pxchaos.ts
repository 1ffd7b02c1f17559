import type { Metrics } from '../observe/metrics.js';
import type { Verdict } from '../observe/timeline-events.js';
import type { Expectation } from '../sut/expectations.js';
import {
  ledgerConsistent,
  noAcknowledgedWriteLost,
  noFailedWrite,
  recoveredWithin,
  rowsPreserved,
  verdictsFor,
} from './verdicts.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /** expect(metrics).to.have.recoveredWithin(60_000) */
      recoveredWithin(limitMs: number): Assertion;
      /** expect(metrics).to.have.lostNoAcknowledgedWrite() */
      lostNoAcknowledgedWrite(): Assertion;
      /** expect(metrics).to.have.consistentLedger() */
      consistentLedger(): Assertion;
      /** expect(metrics).to.have.preservedRows() */
      preservedRows(): Assertion;
      /** expect(metrics).to.have.noFailedWrite() */
      noFailedWrite(): Assertion;
      /** expect(metrics).to.satisfyExpectation(expectation): every verdict the expectation calls for. */
      satisfyExpectation(expectation: Expectation): Assertion;
      /** expect(verdict).to.pass() */
      pass(): Assertion;
    }
  }
}

/**
 * The verdicts as chai assertions. The message of a failure is the verdict's own (expected vs
 * measured); the negated form only says the verdict unexpectedly passed.
 *   import * as chai from 'chai'; chai.use(chaiPxchaos);
 */
export const chaiPxchaos: Chai.ChaiPlugin = (chai) => {
  const { Assertion } = chai;
  const assertVerdict = (assertion: Chai.AssertionStatic, v: Verdict): void => {
    // chai interpolates #{...} in messages; verdict text never contains it, but keep it literal anyway.
    const text = (v.message ?? '').replace(/#\{/g, '# {');
    assertion.assert(v.passed, `${v.name}: ${text}`, `expected '${v.name}' to fail, but it passed: ${text}`);
  };
  const on = (name: string, check: (metrics: Metrics) => Verdict): void => {
    Assertion.addMethod(name, function (this: Chai.AssertionStatic) {
      assertVerdict(this, check(this._obj as Metrics));
    });
  };
  Assertion.addMethod('recoveredWithin', function (this: Chai.AssertionStatic, limitMs: number) {
    assertVerdict(this, recoveredWithin(this._obj as Metrics, limitMs));
  });
  on('lostNoAcknowledgedWrite', noAcknowledgedWriteLost);
  on('consistentLedger', ledgerConsistent);
  on('preservedRows', rowsPreserved);
  on('noFailedWrite', noFailedWrite);
  Assertion.addMethod('satisfyExpectation', function (this: Chai.AssertionStatic, expectation: Expectation) {
    const failed = verdictsFor(expectation, this._obj as Metrics).filter((v) => !v.passed);
    this.assert(
      failed.length === 0,
      failed.map((v) => `${v.name}: ${v.message ?? ''}`.replace(/#\{/g, '# {')).join('\n'),
      'expected the expectation not to be met, but every verdict passed',
    );
  });
  Assertion.addMethod('pass', function (this: Chai.AssertionStatic) {
    assertVerdict(this, this._obj as Verdict);
  });
};

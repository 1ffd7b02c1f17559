import { expect } from 'chai';
import { CheckFailure } from '../../../lib/scenario/check-failure.js';

describe('a failed check, as the user sees it', () => {
  it('is its expected-vs-measured message, without stack frames or a true/false diff', () => {
    const err = new CheckFailure('expected recovery within 30s, measured 41.2s');
    expect(err.stack).to.equal('check failed: expected recovery within 30s, measured 41.2s');
    expect(err.stack).to.not.match(/\n\s+at /);
    expect(err).to.not.have.property('actual');
    expect(err).to.not.have.property('showDiff');
  });
});

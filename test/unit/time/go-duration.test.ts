import { expect } from 'chai';
import { goDurationMs } from '../../../lib/time/go-duration.js';

describe('goDurationMs (Kubernetes flag values)', () => {
  it('reads the forms components print', () => {
    expect(goDurationMs('40s')).to.equal(40_000);
    expect(goDurationMs('1m0s')).to.equal(60_000);
    expect(goDurationMs('1m30s')).to.equal(90_000);
    expect(goDurationMs('500ms')).to.equal(500);
  });

  it('refuses what is not a whole duration', () => {
    for (const bad of ['', '40', 'forty', '40s junk'])
      expect(() => goDurationMs(bad), bad).to.throw(/not a duration/);
  });
});

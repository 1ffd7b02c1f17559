import { expect } from 'chai';
import { bootstrapMedianDifference } from '../../../../lib/report/stats/bootstrap.js';
import { median } from '../../../../lib/report/stats/quantiles.js';

const baseline = [22_700, 24_100, 25_300, 26_900, 28_500, 23_800, 27_200];
const current = [30_100, 31_900, 29_400, 35_000, 33_200, 32_600, 30_800];

describe('bootstrap of the median difference', () => {
  it('is deterministic for a seed, and another seed moves it only a little', () => {
    const a = bootstrapMedianDifference(baseline, current, { seed: 7 });
    expect(bootstrapMedianDifference(baseline, current, { seed: 7 })).to.deep.equal(a);
    const b = bootstrapMedianDifference(baseline, current, { seed: 8 });
    expect(Math.abs((b?.low ?? NaN) - (a?.low ?? NaN))).to.be.lessThan(2000);
    expect(Math.abs((b?.high ?? NaN) - (a?.high ?? NaN))).to.be.lessThan(2000);
  });

  it('holds the observed shift, and lies wholly above 0 for a clear slowdown', () => {
    const ci = bootstrapMedianDifference(baseline, current);
    const observed = median(current) - median(baseline);
    expect(ci?.low).to.be.at.most(observed);
    expect(ci?.high).to.be.at.least(observed);
    expect(ci?.low).to.be.greaterThan(0);
  });

  it('is exactly the shift when neither side varies, and wider at a higher level', () => {
    expect(bootstrapMedianDifference([10, 10, 10], [15, 15, 15])).to.deep.equal({
      low: 5,
      high: 5,
      level: 0.95,
    });
    const narrow = bootstrapMedianDifference(baseline, current, { level: 0.5 });
    const wide = bootstrapMedianDifference(baseline, current, { level: 0.99 });
    expect((wide?.high ?? 0) - (wide?.low ?? 0)).to.be.greaterThan((narrow?.high ?? 0) - (narrow?.low ?? 0));
  });

  it('has no interval with an infinite value or an empty side', () => {
    expect(bootstrapMedianDifference([1, 2], [3, Infinity])).to.equal(undefined);
    expect(bootstrapMedianDifference([], [3])).to.equal(undefined);
  });
});

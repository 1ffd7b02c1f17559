import { expect } from 'chai';
import { median, quantile, summarize } from '../../../../lib/report/stats/quantiles.js';

// Reference values from NumPy 1.26/2.x `numpy.quantile(values, q)` (its default, linear: type 7).
describe('quantiles', () => {
  it('interpolates linearly between order statistics, as NumPy and R (type 7) do', () => {
    expect(quantile([1, 2, 3, 4, 10], 0.9)).to.be.closeTo(7.6, 1e-12);
    expect(median([5, 1, 4, 2])).to.equal(3);
    expect(quantile([1, 2, 4, 5], 0.9)).to.be.closeTo(4.7, 1e-12);
    expect(quantile([7], 0.9)).to.equal(7);
  });

  it('summarizes a figure over repetitions: n, min, median, p90, max, whatever the order', () => {
    expect(summarize([27_500, 22_700, 28_500, 24_100, 25_300])).to.deep.equal({
      n: 5,
      min: 22_700,
      median: 25_300,
      p90: 28_100, // 27 500 + 0.6 × (28 500 − 27 500)
      max: 28_500,
    });
  });

  it('keeps a never-recovered repetition (Infinity) without turning the median into NaN', () => {
    const s = summarize([20_000, Infinity, Infinity]);
    expect(s.median).to.equal(Infinity);
    expect(s.min).to.equal(20_000);
    expect(summarize([20_000, 30_000, Infinity]).median).to.equal(30_000);
  });

  it('refuses no values at all', () => {
    expect(() => quantile([], 0.5)).to.throw('quantile of no values');
  });
});

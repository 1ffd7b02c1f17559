import { expect } from 'chai';
import {
  canBeSignificant,
  mannWhitney,
  repetitionsNeeded,
  smallestP,
} from '../../../../lib/report/stats/mann-whitney.js';

/**
 * Reference values from SciPy 1.17.1, `scipy.stats.mannwhitneyu(current, baseline,
 * alternative='two-sided', method=…, use_continuity=True)` (the statistic is U of the first
 * argument); the normal approximation with ties equals R's
 * `wilcox.test(current, baseline, exact = FALSE, correct = TRUE)`.
 */
const SCIPY: readonly {
  readonly what: string;
  readonly baseline: number[];
  readonly current: number[];
  readonly u: number;
  readonly p: number;
  readonly method: 'exact' | 'normal';
}[] = [
  {
    what: '4 vs 4, separated',
    baseline: [1, 2, 3, 4],
    current: [5, 6, 7, 8],
    u: 16,
    p: 0.02857142857142857,
    method: 'exact',
  },
  { what: '3 vs 3, separated', baseline: [1, 2, 3], current: [4, 5, 6], u: 9, p: 0.1, method: 'exact' },
  {
    what: '5 vs 5, overlapping',
    baseline: [1.1, 2.2, 3.3, 4.4, 5.5],
    current: [3.0, 6.1, 7.2, 8.3, 9.4],
    u: 22,
    p: 0.05555555555555555,
    method: 'exact',
  },
  {
    what: '5 vs 6 RTOs (ms)',
    baseline: [22700, 24100, 25300, 26900, 28500],
    current: [25000, 27000, 29900, 31000, 33800, 35200],
    u: 26,
    p: 0.05194805194805195,
    method: 'exact',
  },
  {
    what: '6 vs 6 with ties (normal approximation, tie-corrected)',
    baseline: [1, 2, 2, 3, 3, 3],
    current: [2, 3, 4, 4, 5, 6],
    u: 30.5,
    p: 0.04838165749779871,
    method: 'normal',
  },
  {
    what: '60 vs 60 (normal approximation)',
    baseline: Array.from({ length: 60 }, (_, i) => i + 1),
    current: Array.from({ length: 60 }, (_, i) => i + 8.5),
    u: 2222,
    p: 0.02694585619564296,
    method: 'normal',
  },
];

describe('Mann–Whitney U', () => {
  for (const c of SCIPY) {
    it(`matches SciPy: ${c.what}`, () => {
      const r = mannWhitney(c.baseline, c.current);
      expect(r.u).to.equal(c.u);
      expect(r.method).to.equal(c.method);
      expect(r.p).to.be.closeTo(c.p, 1e-7);
    });
  }

  it('is symmetric: swapping the sides gives the same p and the complementary U', () => {
    const [b, c] = [
      [3, 9, 4, 12, 7],
      [10, 14, 11, 8, 16],
    ];
    const there = mannWhitney(b, c);
    const back = mannWhitney(c, b);
    expect(back.p).to.be.closeTo(there.p, 1e-12);
    expect(back.u).to.equal(b.length * c.length - there.u);
  });

  it('finds no evidence when every value is the same', () => {
    expect(mannWhitney([5, 5, 5], [5, 5, 5, 5]).p).to.equal(1);
  });

  it('keeps infinite values in their order (a never-recovered RTO ranks last)', () => {
    const r = mannWhitney([1, 2, 3, 4], [5, 6, 7, Infinity]);
    expect(r.u).to.equal(16);
    expect(r.p).to.be.closeTo(0.02857142857142857, 1e-12);
  });
});

describe('how many repetitions a difference needs', () => {
  it('gives the smallest p of m vs n as 2 / C(m+n, m)', () => {
    // By hand: C(6,3) = 20, C(8,4) = 70, C(7,3) = 35, C(2,1) = 2.
    expect(smallestP(3, 3)).to.be.closeTo(2 / 20, 1e-15);
    expect(smallestP(4, 4)).to.be.closeTo(2 / 70, 1e-15);
    expect(smallestP(3, 4)).to.be.closeTo(2 / 35, 1e-15);
    expect(smallestP(1, 1)).to.equal(1);
  });

  it('agrees with the exact test: the most extreme outcome of m vs n has that p', () => {
    for (const [m, n] of [
      [2, 5],
      [3, 3],
      [4, 6],
    ] as const) {
      const baseline = Array.from({ length: m }, (_, i) => i);
      const current = Array.from({ length: n }, (_, i) => 100 + i);
      expect(mannWhitney(baseline, current).p, `${m} vs ${n}`).to.be.closeTo(smallestP(m, n), 1e-12);
    }
  });

  it('needs 4 vs 4 at α = 0.05 and 5 vs 5 at α = 0.01 (3 vs 3 can never go below 0.1)', () => {
    expect(repetitionsNeeded(0.05)).to.equal(4);
    expect(repetitionsNeeded(0.01)).to.equal(5);
    expect(canBeSignificant(3, 3, 0.05)).to.equal(false);
    expect(canBeSignificant(3, 5, 0.05)).to.equal(true); // 2 / C(8,3) = 2/56
    expect(canBeSignificant(2, 2, 0.05)).to.equal(false);
  });
});

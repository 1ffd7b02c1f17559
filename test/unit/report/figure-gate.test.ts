import { expect } from 'chai';
import { DEFAULT_MARGINS } from '../../../lib/config/compare-margins.js';
import { judgeFigure } from '../../../lib/report/figure-gate.js';
import { seededRandom } from '../../../lib/report/stats/seeded-random.js';

/** n RTOs around `centre` ms, spread uniformly over ±`spread` ms. */
function rtos(n: number, centre: number, spread: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Math.round(centre + (random() * 2 - 1) * spread));
}

describe('the statistical gate of one figure', () => {
  it('finds a known shift regressed: RTO 25 s → 40 s (+60%, +15 s) over 10 repetitions each', () => {
    const j = judgeFigure('duration', rtos(10, 25_000, 3000, 1), rtos(10, 40_000, 3000, 2), DEFAULT_MARGINS);
    expect(j.verdict).to.equal('regressed');
    expect(j.test?.p).to.be.lessThan(0.001);
    expect(j.interval?.low).to.be.greaterThan(10_000);
    expect(j.why).to.match(/^significant \(p <0\.001\), beyond the margins 20% and 5\.0s$/);
  });

  it('finds the same shift the other way improved', () => {
    const j = judgeFigure('duration', rtos(10, 40_000, 3000, 3), rtos(10, 25_000, 3000, 4), DEFAULT_MARGINS);
    expect(j.verdict).to.equal('improved');
  });

  it('calls pure noise the same, whatever the seeds (20 pairs of 10 repetitions from one distribution)', () => {
    for (let seed = 1; seed <= 40; seed += 2) {
      const j = judgeFigure(
        'duration',
        rtos(10, 25_000, 3000, seed),
        rtos(10, 25_000, 3000, seed + 1),
        DEFAULT_MARGINS,
      );
      expect(j.verdict, `seeds ${seed}, ${seed + 1}: ${j.why}`).to.equal('same');
    }
  });

  it('calls a significant shift within the margins the same, saying so', () => {
    // +3 s on 60 s: every repetition slower, but only +5%.
    const j = judgeFigure('duration', rtos(8, 60_000, 500, 5), rtos(8, 63_000, 500, 6), DEFAULT_MARGINS);
    expect(j.verdict).to.equal('same');
    expect(j.why).to.match(/^significant \(p [\d.<]+\) but within the margins 20% and 5\.0s$/);
  });

  it('calls 2 vs 2 repetitions inconclusive, naming the repetitions needed, even for a huge shift', () => {
    const j = judgeFigure('duration', [20_000, 21_000], [90_000, 95_000], DEFAULT_MARGINS);
    expect(j.verdict).to.equal('inconclusive');
    expect(j.needed).to.equal(4);
    expect(j.why).to.equal(
      '2 vs 2 repetitions: too few for a two-sided Mann–Whitney test at α 0.05; needs at least 4 vs 4',
    );
    expect(j.test).to.equal(undefined);
  });

  it('judges counts with the count margin', () => {
    const base = [10, 12, 11, 13, 10, 12];
    expect(judgeFigure('count', base, [24, 25, 26, 24, 27, 25], DEFAULT_MARGINS).verdict).to.equal('same'); // +13 ≤ 20
    expect(judgeFigure('count', base, [44, 45, 46, 44, 47, 45], DEFAULT_MARGINS).verdict).to.equal(
      'regressed',
    );
  });
});

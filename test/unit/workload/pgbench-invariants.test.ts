import { expect } from 'chai';
import { balanceInvariant, durability, pgbenchFigures } from '../../../lib/workload/pgbench-invariants.js';
import type { PgbenchTally } from '../../../lib/workload/pgbench-run.js';

const counts = (acked: number) => ({ acked, failed: 0, skipped: 0 });

function tally(clients: Record<string, number>, extra: Partial<PgbenchTally> = {}): PgbenchTally {
  const map = new Map(Object.entries(clients).map(([tag, n]) => [tag, counts(n)]));
  return {
    tagPrefix: '5f3a9c01p',
    clients: map,
    acked: Object.values(clients).reduce((a, b) => a + b, 0),
    failed: 0,
    skipped: 0,
    segments: 3,
    restarts: 1,
    overran: 0,
    killed: 0,
    malformed: 0,
    ...extra,
  };
}

describe('pgbench invariants', () => {
  it('holds when the four sums agree, and names the broken equation with its numbers otherwise', () => {
    expect(balanceInvariant({ abalance: 12n, tbalance: 12n, bbalance: 12n, delta: 12n })).to.equal('ok');
    expect(balanceInvariant({ abalance: -4988n, tbalance: 12n, bbalance: 12n, delta: 12n })).to.equal(
      'sum(abalance) -4988 ≠ sum(tbalance) 12 = sum(bbalance) 12 = sum(pgbench_history.delta) 12',
    );
    expect(balanceInvariant({ abalance: 12n, tbalance: 12n, bbalance: 12n, delta: 9n })).to.equal(
      'sum(abalance) 12 = sum(tbalance) 12 = sum(bbalance) 12 ≠ sum(pgbench_history.delta) 9',
    );
  });

  it('finds an acknowledged transaction missing per client, and tells in-flight commits apart', () => {
    const d = durability(
      new Map([
        ['5f3a9c01p1c0', counts(10)],
        ['5f3a9c01p1c1', counts(9)],
        ['5f3a9c01p2c0', counts(4)],
      ]),
      new Map([
        ['5f3a9c01p1c0', 10],
        ['5f3a9c01p1c1', 10], // one commit whose answer was lost
        ['5f3a9c01p2c0', 3], // one acknowledged and gone
        ['5f3a9c01p3c1', 1], // a client that never logged a line (the connection broke in its first)
      ]),
    );
    expect(d).to.deep.equal({
      acked: 23,
      lost: 1,
      committedUnacked: 2,
      lostClients: [{ tag: '5f3a9c01p2c0', acked: 4, found: 3 }],
    });
  });

  it('gives the figures the check and the reports read', () => {
    const figures = pgbenchFigures(tally({ '5f3a9c01p1c0': 10, '5f3a9c01p10c1': 5, '5f3a9c01p2c1': 7 }), {
      sums: { abalance: 5n, tbalance: 5n, bbalance: 5n, delta: 5n },
      committed: new Map([
        ['5f3a9c01p1c0', 10],
        ['5f3a9c01p10c1', 4],
        ['5f3a9c01p2c1', 5],
      ]),
    });
    expect(figures).to.deep.equal({
      pgbench_tag: '5f3a9c01p',
      pgbench_tx_acked: 22,
      pgbench_tx_failed: 0,
      pgbench_segments: 3,
      pgbench_restarts: 1,
      pgbench_killed: 0,
      pgbench_tx_lost: 3,
      pgbench_tx_committed_unacked: 0,
      pgbench_lost_clients:
        '5f3a9c01p2c1: 7 acknowledged, 5 in pgbench_history; 5f3a9c01p10c1: 5 acknowledged, 4 in pgbench_history',
      pgbench_invariant: 'ok',
    });
  });

  it('names at most ten lost clients', () => {
    const acked = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`5f3a9c01p${i + 1}c0`, 1]));
    const figures = pgbenchFigures(tally(acked), {
      sums: { abalance: 0n, tbalance: 0n, bbalance: 0n, delta: 0n },
      committed: new Map(),
    });
    expect(figures.pgbench_tx_lost).to.equal(12);
    expect(String(figures.pgbench_lost_clients).split('; ')).to.have.length(11);
    expect(figures.pgbench_lost_clients).to.match(/… \(2 more\)$/);
  });
});

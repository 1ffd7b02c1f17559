import * as chai from 'chai';
import { expect } from 'chai';
import { chaiPxchaos } from '../../../lib/assert/chai-pxchaos.js';
import {
  contentsPreserved,
  invariant,
  ledgerConsistent,
  noAcknowledgedWriteLost,
  noFailedWrite,
  pgbenchAtomicDurable,
  recoveredWithin,
  rowsPreserved,
  verdictsFor,
} from '../../../lib/assert/verdicts.js';
import type { Metrics } from '../../../lib/observe/metrics.js';
import type { Expectation } from '../../../lib/sut/expectations.js';

chai.use(chaiPxchaos);

const healthy: Metrics = {
  rto_ms: 12_300,
  recovered: 'yes',
  rto_basis: 'window',
  longest_unavailable_ms: 12_000,
  writes: 500,
  acked: 480,
  failed: 15,
  unknown: 5,
  lost_acked: 0,
  lost_acked_span_ms: 0,
  lost_acked_ids: '',
  unknown_committed: 2,
  failed_committed: 0,
  failed_committed_ids: '',
  duplicates: 0,
  duplicate_ids: '',
  unexpected_rows: 0,
  rows_before: 1_000_000,
  rows_after: 1_000_000,
};

const expectation: Expectation = {
  recoveryWithinMs: 60_000,
  failedWritesAllowed: true,
  primaryMoves: true,
  holdMs: 90_000,
  source: 'test',
};

describe('verdicts', () => {
  it('passes a recovery within the threshold and fails a slow or missing one with both figures', () => {
    expect(recoveredWithin(healthy, 60_000)).to.include({ passed: true, name: 'recovered within 1m00s' });
    const slow = recoveredWithin({ ...healthy, rto_ms: 75_200 }, 60_000);
    expect(slow.passed).to.equal(false);
    expect(slow.message).to.contain('1m00s').and.to.contain('1m15s');
    const never = recoveredWithin(
      { ...healthy, rto_ms: Infinity, recovered: 'no', rto_lower_bound_ms: 90_000 },
      60_000,
    );
    expect(never.passed).to.equal(false);
    expect(never.message).to.contain('still failing').and.to.contain('1m30s');
    // as read back from JSON
    expect(recoveredWithin({ ...healthy, rto_ms: 'Infinity', recovered: 'no' }, 60_000).passed).to.equal(
      false,
    );
    expect(recoveredWithin({ recovered: 'no-fault' }, 60_000).passed).to.equal(false);
  });

  it('names what the SUT said was wrong when the scenario stopped waiting, slow or never back', () => {
    const cause =
      'pod not serving: postgres-0 Pending, not scheduled (Unschedulable: 3 node(s) were unschedulable.)';
    const slow = recoveredWithin({ ...healthy, rto_ms: 150_000, unrecovered_cause: cause }, 60_000);
    expect(slow.passed).to.equal(false);
    expect(slow.message).to.match(/measured 2m30s .*; at the heal: pod not serving: .*unschedulable/);
    const never = recoveredWithin(
      { ...healthy, rto_ms: Infinity, recovered: 'no', unrecovered_cause: cause },
      60_000,
    );
    expect(never.message).to.contain(`still failing when observation ended; at the heal: ${cause}`);
    expect(recoveredWithin({ ...healthy, rto_ms: 75_200 }, 60_000).message).not.to.contain('at the heal');
  });

  it('names the missing ids when acknowledged writes were lost', () => {
    const v = noAcknowledgedWriteLost({
      ...healthy,
      lost_acked: 3,
      lost_acked_ids: '17,18,19',
      lost_acked_span_ms: 100,
    });
    expect(v.passed).to.equal(false);
    expect(v.message).to.contain('17,18,19').and.to.contain('3 missing');
    expect(noAcknowledgedWriteLost(healthy).passed).to.equal(true);
    expect(noAcknowledgedWriteLost({ acked: 3 }).message).to.contain('no ledger read-back');
  });

  it('fails rows preserved with expected and found counts', () => {
    const v = rowsPreserved({ ...healthy, rows_after: 999_990 });
    expect(v).to.include({ passed: false });
    expect(v.message).to.equal('expected 1000000 rows, found 999990 (-10)');
    expect(rowsPreserved({}).passed).to.equal(false);
  });

  it('fails no-failed-write on any failed or unknown write, and a ledger holding failed writes', () => {
    expect(noFailedWrite(healthy).message).to.contain('15 failed and 5 unknown of 500');
    expect(noFailedWrite({ ...healthy, failed: 0, unknown: 0 }).passed).to.equal(true);
    const v = ledgerConsistent({ ...healthy, failed_committed: 1, failed_committed_ids: '42' });
    expect(v.passed).to.equal(false);
    expect(v.message).to.contain('ids 42');
  });

  it('judges the writes made before the heal began and names what the heal failed', () => {
    const byHeal = {
      ...healthy,
      failed: 2,
      unknown: 2,
      failed_after_heal: 2,
      unknown_after_heal: 2,
      post_heal_unavailable_ms: 270,
    };
    const v = noFailedWrite(byHeal);
    expect(v.passed).to.equal(true);
    expect(v.message).to.equal(
      'every write acknowledged while the fault was in force; the heal then failed 2 and left 2 unknown (270ms unavailable after the heal began)',
    );
    const mixed = noFailedWrite({ ...byHeal, failed: 5 });
    expect(mixed.passed).to.equal(false);
    expect(mixed.message).to.contain('3 failed and 0 unknown of 500 before the heal');
    expect(mixed.message).to.contain('the heal then failed 2');
  });

  it('derives the verdict list from an expectation, plus the SUT invariants', () => {
    const names = verdictsFor(expectation, healthy, [
      invariant('old primary demoted', true, { expected: 'replica', measured: 'replica' }),
    ]).map((v) => v.name);
    expect(names).to.deep.equal([
      'recovered within 1m00s',
      'no acknowledged write lost',
      'failed writes did not commit',
      'rows preserved',
      'old primary demoted',
    ]);
    const strict = verdictsFor({ ...expectation, failedWritesAllowed: false }, healthy);
    expect(strict.map((v) => v.name)).to.include('no failed write');
    expect(invariant('pod UID kept', false, { expected: 'uid a', measured: 'uid b' }).message).to.equal(
      'expected uid a, measured uid b',
    );
  });

  describe('pgbench transactions atomic and durable', () => {
    const checked: Metrics = {
      pgbench_tag: '5f3a9c01p',
      pgbench_tx_acked: 1480,
      pgbench_tx_lost: 0,
      pgbench_tx_committed_unacked: 2,
      pgbench_restarts: 3,
      pgbench_invariant: 'ok',
    };

    it('passes when the sums agree and every acknowledged transaction is there, with the figures', () => {
      const v = pgbenchAtomicDurable(checked);
      expect(v).to.include({ name: 'pgbench transactions atomic and durable', passed: true });
      expect(v.message).to.equal(
        'sum(abalance) = sum(tbalance) = sum(bbalance) = sum(pgbench_history.delta); all 1480 acknowledged transactions in pgbench_history (2 committed without an acknowledgement; 3 restarts of pgbench)',
      );
    });

    it('fails on a broken equation, naming it with its numbers', () => {
      const broken =
        'sum(abalance) -4988 ≠ sum(tbalance) 12 = sum(bbalance) 12 = sum(pgbench_history.delta) 12';
      const v = pgbenchAtomicDurable({ ...checked, pgbench_invariant: broken });
      expect(v.passed).to.equal(false);
      expect(v.message).to.equal(
        `expected every pgbench transaction whole and every acknowledged one present; not atomic: ${broken}`,
      );
    });

    it('fails on a lost acknowledged transaction, naming the clients', () => {
      const v = pgbenchAtomicDurable({
        ...checked,
        pgbench_tx_lost: 1,
        pgbench_lost_clients: '5f3a9c01p2c1: 7 acknowledged, 6 in pgbench_history',
      });
      expect(v.passed).to.equal(false);
      expect(v.message).to.equal(
        'expected every pgbench transaction whole and every acknowledged one present; 1 acknowledged transactions missing from pgbench_history (5f3a9c01p2c1: 7 acknowledged, 6 in pgbench_history)',
      );
    });

    it('fails when nothing was acknowledged or nothing could be read, saying why', () => {
      const none = pgbenchAtomicDurable({
        ...checked,
        pgbench_tx_acked: 0,
        pgbench_last_error: 'pgbench could not run on the harness host: spawn pgbench ENOENT',
      });
      expect(none.passed).to.equal(false);
      expect(none.message).to.contain('pgbench acknowledged no transaction').and.to.contain('ENOENT');
      const unread = pgbenchAtomicDurable({
        pgbench_tx_acked: 30,
        pgbench_error: "pgbench's tables could not be read: connect ECONNREFUSED",
      });
      expect(unread.passed).to.equal(false);
      expect(unread.message).to.equal(
        "expected pgbench's tables checked after recovery; not measured: pgbench's tables could not be read: connect ECONNREFUSED",
      );
      expect(pgbenchAtomicDurable({}).message).to.contain('not measured: pgbench never ran');
    });

    it('passes, saying it was not run, when pgbench is turned off', () => {
      const v = pgbenchAtomicDurable({ pgbench: 'off' });
      expect(v.passed).to.equal(true);
      expect(v.message).to.match(/^not run: .*workload\.pgbench\.enabled: false/);
    });
  });

  it('says the contents were compared net of the run’s pgbench transactions when they were', () => {
    const same = { accounts_digest_before: 'abcdef0123456789', accounts_digest_after: 'abcdef0123456789' };
    expect(contentsPreserved(same).message).to.equal('pgbench_accounts digest abcdef012345 before and after');
    const net = { ...same, accounts_digest_net_of: '5f3a9c01p' };
    expect(contentsPreserved(net).message).to.equal(
      "pgbench_accounts digest abcdef012345 before and after net of this run's pgbench transactions (pgbench_history tagged 5f3a9c01p…)",
    );
    const changed = contentsPreserved({
      ...net,
      accounts_digest_after: '0123456789abcdef',
      contents_changed: 'aid 0–99999',
    });
    expect(changed.passed).to.equal(false);
    expect(changed.message).to.match(
      /^expected pgbench_accounts unchanged net of this run's pgbench transactions .*changed: aid 0–99999$/,
    );
  });

  it('works as chai assertions whose failure message is the verdict', () => {
    expect(healthy).to.have.recoveredWithin(60_000);
    expect(healthy).to.have.lostNoAcknowledgedWrite();
    expect(healthy).to.have.preservedRows();
    expect(healthy).to.have.consistentLedger();
    expect(healthy).to.satisfyExpectation(expectation);
    expect(healthy).not.to.have.noFailedWrite();
    expect(() =>
      expect({ ...healthy, lost_acked: 1, lost_acked_ids: '7' }).to.have.lostNoAcknowledgedWrite(),
    ).to.throw(/ids 7/);
    expect(() => expect({ ...healthy, rto_ms: 70_000 }).to.satisfyExpectation(expectation)).to.throw(
      /expected RTO ≤ 1m00s, measured 1m10s/,
    );
    expect(() => expect(healthy).to.have.recoveredWithin(1000)).to.throw(/measured 12.3s/);
    expect(recoveredWithin(healthy, 60_000)).to.pass();
  });
});

import { expect } from 'chai';
import { scenarioVerdicts, type FlowFacts } from '../../../lib/scenario/scenario-verdicts.js';
import { CHECK_KEYS } from '../../../lib/scenario/verdict-names.js';
import type { Expectation } from '../../../lib/sut/expectations.js';

const expectation: Expectation = {
  recoveryWithinMs: 30_000,
  failedWritesAllowed: true,
  primaryMoves: true,
  holdMs: 10_000,
  source: 'test',
};

const healthy = { healthy: true, primary: 'n2', problems: [] };

function facts(overrides: Partial<FlowFacts> = {}): FlowFacts {
  return {
    kind: 'network-partition',
    expectation,
    faultVerified: true,
    health: healthy,
    leftovers: [],
    outsideFaults: [],
    ...overrides,
  };
}

const goodMetrics = {
  rto_ms: 12_000,
  recovered: 'yes',
  rto_basis: 'window',
  longest_unavailable_ms: 12_000,
  acked: 400,
  lost_acked: 0,
  failed_committed: 0,
  rows_before: 1_000_000,
  rows_after: 1_000_000,
  accounts_digest_before: '3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6',
  accounts_digest_after: '3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6',
  contents_changed_ranges: 0,
  accounts_digest_net_of: '5f3a9c01p',
  pgbench_tx_acked: 420,
  pgbench_tx_lost: 0,
  pgbench_tx_committed_unacked: 1,
  pgbench_restarts: 2,
  pgbench_invariant: 'ok',
  primary_before: 'n1',
  primary_after: 'n2',
  fault_node: 'n1',
};

describe('scenario checks', () => {
  it('a fault of another process on the run’s nodes turns the run red, naming it', () => {
    const outside =
      'agent-down on n2 (agent-down-1) by pid 4242 on ci-host, in force 2026-12-07T07:00:01.000Z – still open';
    const checks = scenarioVerdicts(facts({ outsideFaults: [outside] }), goodMetrics);
    const failed = checks.filter((c) => !c.verdict.passed);
    expect(failed.map((c) => c.key)).to.deep.equal(['noOutsideFault']);
    expect(failed[0]?.verdict.message).to.equal(`disturbed by an outside fault: ${outside}`);
    const unread = scenarioVerdicts(facts({ outsideFaults: undefined }), goodMetrics);
    expect(unread.find((c) => c.key === 'noOutsideFault')?.verdict.passed).to.equal(false);
  });

  it('a good run passes every check, one per declared check', () => {
    const checks = scenarioVerdicts(facts(), goodMetrics);
    expect(checks.map((c) => c.key)).to.deep.equal(CHECK_KEYS);
    expect(checks.filter((c) => !c.verdict.passed).map((c) => c.verdict.message)).to.deep.equal([]);
  });

  it('reports pgbench’s check: red with the broken equation, green saying so when turned off', () => {
    const broken =
      'sum(abalance) -4988 ≠ sum(tbalance) 12 = sum(bbalance) 12 = sum(pgbench_history.delta) 12';
    const red = scenarioVerdicts(facts(), { ...goodMetrics, pgbench_invariant: broken });
    const check = red.find((c) => c.key === 'pgbenchAtomicDurable')?.verdict;
    expect(check?.name).to.equal('pgbench transactions atomic and durable');
    expect(check?.passed).to.equal(false);
    expect(check?.message).to.contain(broken);
    expect(red.filter((c) => !c.verdict.passed)).to.have.length(1);
    const off: Record<string, number | string> = { ...goodMetrics, pgbench: 'off' };
    for (const key of Object.keys(off)) if (key.startsWith('pgbench_')) delete off[key];
    const green = scenarioVerdicts(facts(), off).find((c) => c.key === 'pgbenchAtomicDurable')?.verdict;
    expect(green?.passed).to.equal(true);
    expect(green?.message).to.match(/^not run/);
  });

  it('fails placement when the primary stayed but should have moved, naming both nodes', () => {
    const checks = scenarioVerdicts(facts(), { ...goodMetrics, primary_after: 'n1' });
    const placement = checks.find((c) => c.key === 'primaryPlacement')?.verdict;
    expect(placement?.passed).to.equal(false);
    expect(placement?.message).to.contain('n1 → n1').and.to.contain('moved');
  });

  it('fails "contents preserved" when the digest changed with the count unchanged, naming the ranges', () => {
    const checks = scenarioVerdicts(facts(), {
      ...goodMetrics,
      accounts_digest_after: '0000000000000000aaaaaaaaaaaaaaaa',
      contents_changed_ranges: 1,
      contents_changed: 'aid 100000–199999',
    });
    const byKey = Object.fromEntries(checks.map((c) => [c.key, c.verdict]));
    expect(byKey.rowsPreserved?.passed).to.equal(true);
    expect(byKey.contentsPreserved?.passed).to.equal(false);
    expect(byKey.contentsPreserved?.message).to.equal(
      "expected pgbench_accounts unchanged net of this run's pgbench transactions (pgbench_history tagged 5f3a9c01p…); digest 3f2a9c0d1e4b → 000000000000, changed: aid 100000–199999",
    );
  });

  it('fails on leftovers and on a slow recovery with expected vs measured', () => {
    const checks = scenarioVerdicts(facts({ leftovers: ['n1: chain PXCHAOS-x-IN'] }), {
      ...goodMetrics,
      rto_ms: 45_000,
      longest_unavailable_ms: 45_000,
    });
    const byKey = Object.fromEntries(checks.map((c) => [c.key, c.verdict]));
    expect(byKey.nothingLeftBehind?.passed).to.equal(false);
    expect(byKey.nothingLeftBehind?.message).to.contain('PXCHAOS-x-IN');
    expect(byKey.recovered?.passed).to.equal(false);
  });

  it('a run that never reached its target fails every check with the reason', () => {
    const checks = scenarioVerdicts({ kind: 'drive-offline' }, {}, 'lab did not come up');
    expect(checks).to.have.length(CHECK_KEYS.length);
    for (const c of checks) {
      expect(c.verdict.passed).to.equal(false);
      expect(c.verdict.message).to.contain('lab did not come up');
    }
  });

  it('a heal that failed is the health after the heal, told once, not as "never reached"', () => {
    const why = "n3: 'sh -c …' exited 1: pxkube-brick: brick is unmounted after attach";
    const checks = scenarioVerdicts(
      facts({ health: { healthy: false, problems: [`the heal failed: ${why}`] } }),
      goodMetrics,
      why,
    );
    const health = checks.find((c) => c.key === 'healthyAfterHeal')?.verdict;
    expect(health?.passed).to.equal(false);
    expect(health?.message).to.contain(`the heal failed: ${why}`).and.not.to.contain('stopped early');
    expect(health?.message).not.to.contain('never reached');
    // A check the failure did not explain still says why the scenario stopped.
    const leftovers = scenarioVerdicts(facts({ leftovers: ['open journal entry'] }), goodMetrics, why);
    expect(leftovers.find((c) => c.key === 'nothingLeftBehind')?.verdict.message).to.contain(
      `(the scenario stopped early: ${why})`,
    );
  });

  it('failed writes fail the check only where the expectation forbids them', () => {
    const allowed = scenarioVerdicts(facts(), { ...goodMetrics, failed: 3, unknown: 0 });
    const check = allowed.find((c) => c.key === 'failedWrites')?.verdict;
    expect(check?.passed).to.equal(true);
    expect(check?.message).to.contain('allowed');
    const within = { ...expectation, failedWritesAllowed: false, primaryMoves: false as const };
    const checks = scenarioVerdicts(facts({ kind: 'agent-restart-within-grace', expectation: within }), {
      ...goodMetrics,
      primary_after: 'n1',
      failed: 3,
      unknown: 0,
    });
    expect(checks.find((c) => c.key === 'failedWrites')?.verdict.passed).to.equal(false);
  });
});

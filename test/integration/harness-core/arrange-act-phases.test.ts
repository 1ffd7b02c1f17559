import { expect } from 'chai';
import { act } from '../../../lib/scenario/flow/act.js';
import { arrange } from '../../../lib/scenario/flow/arrange.js';
import { releaseHeld } from '../../../lib/scenario/flow/release.js';
import { FaultNotSupportedError, PlacementRefusedError } from '../../../lib/scenario/fault-not-supported.js';
import { loadPgbench } from '../../../lib/workload/pgbench.js';
import { balanceInvariant, readPgbenchState } from '../../../lib/workload/pgbench-invariants.js';
import { readQuery } from '../../../lib/workload/read-query.js';
import type { NodeRoles } from '../../../lib/sut/placement.js';
import { fakeContext, fakeSut } from '../../support/fake-sut.js';
import { LocalPostgres } from '../../support/local-postgres.js';

/** arrange and act on a real Postgres (pgbench data, digest) behind a fake SUT that names the nodes. */
describe('scenario flow: arrange and act (real Postgres, fake SUT)', function () {
  this.timeout(120_000);
  let server: LocalPostgres;
  before(async () => {
    server = await LocalPostgres.start();
  });
  after(() => server?.destroy());

  const roles: NodeRoles = {
    primary: 'n1',
    replicas: [
      { name: 'n2', role: 'synchronous standby' },
      { name: 'n3', role: 'replica' },
    ],
    bystanders: [],
  };
  let loads = 0;
  const sut = (): ReturnType<typeof fakeSut> =>
    fakeSut({
      nodes: ['n1', 'n2', 'n3'],
      endpoint: () => Promise.resolve(server.endpoint),
      settle: () => Promise.resolve({ healthy: true, problems: [] }),
      primary: () => Promise.resolve('n1'),
      roles: () => Promise.resolve(roles),
      loadPgbench: async (scale) => {
        loads++;
        return loadPgbench(server.endpoint, scale, { onProgress: () => undefined });
      },
    });

  it('a refused placement stops after the data is digested, before any workload runs, saying why', async () => {
    const ctx = await fakeContext(sut(), 'network-partition', 'bystander');
    const err = await arrange(ctx).catch((e: Error) => e);
    await releaseHeld(ctx);
    expect(err).to.be.instanceOf(PlacementRefusedError);
    expect(ctx.values.placement_refused)
      .to.be.a('string')
      .and.match(/bystander/);
    expect(ctx.values.rows_before).to.equal(100_000);
    expect(ctx.values.accounts_digest_before).to.be.a('string');
    expect(ctx.held.workload).to.equal(undefined);
    expect(ctx.held.measuringFrom).to.equal(undefined);
    expect(loads).to.equal(1);
  });

  it('data changed by hand before the run is reloaded, and the result says so', async () => {
    await readQuery(
      server.endpoint,
      'UPDATE pgbench_accounts SET abalance = abalance + 7 WHERE aid = 42',
      [],
      {
        applicationName: 'pxchaos-test',
        timeoutMs: 10_000,
        retries: 0,
      },
    );
    const before = loads;
    const ctx = await fakeContext(sut(), 'network-partition', 'bystander');
    await arrange(ctx).catch(() => undefined); // refused placement: stops after the data
    await releaseHeld(ctx);
    expect(loads - before, 'reloaded once').to.equal(1);
    expect(ctx.values.baseline_reloaded).to.match(
      /^pgbench data inconsistent before the fault: sum\(abalance\) 7 ≠ sum\(tbalance\) 0/,
    );
    const state = await readPgbenchState(server.endpoint, 'baseline0');
    expect(balanceInvariant(state.sums)).to.equal('ok');
  });

  it('present data is kept; a SUT without the fault stops in act before anything is injected', async () => {
    const ctx = await fakeContext(sut(), 'drive-offline');
    const arranged = await arrange(ctx);
    try {
      expect(loads, 'pgbench data present and consistent: not loaded again').to.equal(2);
      expect(ctx.values.fault_node).to.equal('n1');
      expect(ctx.held.workload).to.not.equal(undefined);
      const without = { ...arranged, expectation: undefined };
      const err = await act(ctx, without).catch((e: Error) => e);
      expect(err).to.be.instanceOf(FaultNotSupportedError);
      expect(ctx.held.fault).to.equal(undefined);
      expect(ctx.facts.faultVerified).to.equal(undefined);
    } finally {
      await releaseHeld(ctx);
    }
  });

  const neverSettles = (): ReturnType<typeof fakeSut> =>
    fakeSut({
      nodes: ['n1', 'n2', 'n3'],
      settle: () => Promise.reject(new Error('timed out: n2: replica is stopped')),
    });

  it('a SUT the previous scenario left unsettled is re-arranged, said in the result, and this scenario goes on', async () => {
    const fresh = sut();
    const ctx = await fakeContext(neverSettles(), 'drive-offline', 'primary', fresh);
    await arrange(ctx);
    try {
      expect(ctx.rearranged()).to.equal(1);
      expect(ctx.values.rearranged).to.equal(
        'the SUT did not settle after the previous scenario: timed out: n2: replica is stopped',
      );
      expect(ctx.target().sut).to.equal(fresh);
      expect(ctx.values.fault_node).to.equal('n1');
      expect(ctx.held.workload).to.not.equal(undefined);
    } finally {
      await releaseHeld(ctx);
    }
  });

  it('a target opened for this scenario is not re-arranged: its settle failure stops the scenario', async () => {
    const ctx = await fakeContext(neverSettles(), 'drive-offline');
    const err = await arrange(ctx).catch((e: Error) => e);
    await releaseHeld(ctx);
    expect(err).to.be.instanceOf(Error).and.have.property('message', 'timed out: n2: replica is stopped');
    expect(ctx.rearranged()).to.equal(0);
    expect(ctx.values.rearranged).to.equal(undefined);
    expect(ctx.held.workload).to.equal(undefined);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { judge } from '../../../../lib/scenario/flow/judge.js';
import { readBack } from '../../../../lib/scenario/flow/read-back.js';
import { TargetPresence } from '../../../../lib/scenario/target-presence.js';
import { CHECK_KEYS } from '../../../../lib/scenario/verdict-names.js';
import { fakeContext, fakeSut } from '../../../support/fake-sut.js';

describe('scenario flow: read back and judge', () => {
  it('a vanished target: one line as the leftovers, nothing asked of the SUT, the lease released', async () => {
    const sut = fakeSut(); // every SUT call rejects "not faked"
    const ctx = await fakeContext(sut);
    ctx.held.lease = await ctx.leaseTarget(ctx.within(1000));
    const presence = new TargetPresence([]);
    presence.gone = 'target vanished: node n3 is gone';
    ctx.held.presence = presence;
    presence.stop();
    expect(await readBack(ctx)).to.equal(undefined);
    expect(ctx.facts.leftovers).to.deep.equal(['target vanished: node n3 is gone']);
    expect(ctx.released()).to.equal(1);
  });

  it('what cannot be read is recorded as why, what can is kept, and the lease is released', async () => {
    const sut = fakeSut({
      nodes: [],
      endpoint: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.2:5432')),
      primary: () => Promise.resolve('n2'),
    });
    const ctx = await fakeContext(sut);
    ctx.held.lease = await ctx.leaseTarget(ctx.within(1000));
    expect(await readBack(ctx)).to.equal(undefined); // no workload: no ledger
    expect(ctx.values.table_read_error).to.equal('connect ECONNREFUSED 10.0.0.2:5432');
    expect(ctx.values.primary_after).to.equal('n2');
    expect(ctx.values).to.not.have.property('rows_after');
    expect(ctx.facts.leftovers).to.be.an('array');
    expect(ctx.released()).to.equal(1);
  });

  it('judge saves every check with the result, as returned', async () => {
    const ctx = await fakeContext(fakeSut());
    ctx.facts.faultVerified = false;
    ctx.facts.faultError = 'partition not verified: 5432 still answers';
    const outcome = await judge(ctx, undefined, 'partition not verified: 5432 still answers');
    expect(outcome.checks.map((c) => c.key)).to.deep.equal([...CHECK_KEYS]);
    const saved = JSON.parse(
      await readFile(path.join(ctx.config.reportDir, 'network-partition.result.json'), 'utf8'),
    ) as { verdicts: unknown[] };
    expect(saved.verdicts).to.deep.equal(outcome.checks.map((c) => c.verdict));
    expect(outcome.checks.find((c) => c.key === 'faultTookHold')?.verdict.passed).to.equal(false);
  });
});

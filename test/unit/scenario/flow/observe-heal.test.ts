import { expect } from 'chai';
import type { ActiveFault } from '../../../../lib/faults/fault.js';
import { FAULT_SCENARIOS } from '../../../../lib/scenario/fault-catalog.js';
import type { Acted } from '../../../../lib/scenario/flow/act.js';
import type { Arranged } from '../../../../lib/scenario/flow/arrange.js';
import { heal } from '../../../../lib/scenario/flow/heal.js';
import { observe } from '../../../../lib/scenario/flow/observe.js';
import type { ScenarioContext } from '../../../../lib/scenario/flow/scenario-context.js';
import { TargetPresence } from '../../../../lib/scenario/target-presence.js';
import type { FaultKind } from '../../../../lib/sut/expectations.js';
import type { Sut } from '../../../../lib/sut/sut.js';
import { EXPECTATION, fakeContext, fakeSut } from '../../../support/fake-sut.js';

function arrangedOn(sut: Sut): Arranged {
  const node = sut.nodes[0];
  if (!node) throw new Error('no node');
  return { sut, expectation: EXPECTATION, node, role: 'primary', settleMs: 1000 };
}

function actedOn(arranged: Arranged, kind: FaultKind): Acted {
  return {
    scenario: FAULT_SCENARIOS[kind],
    faultTarget: {
      sut: arranged.sut,
      node: arranged.node,
      peers: [],
      expectation: EXPECTATION,
      role: 'primary',
      driveMode: 'error',
    },
  };
}

const steps = (ctx: ScenarioContext): string[] =>
  ctx.timeline.toData(ctx.meta()).events.flatMap((e) => (e.kind === 'step' ? [e.name] : []));

describe('scenario flow: observe', () => {
  it('holds a time-bound fault for its time, then ends without a cause', async () => {
    const sut = fakeSut();
    const ctx = await fakeContext(sut, 'agent-restart-within-grace');
    const arranged = arrangedOn(sut);
    await observe(ctx, arranged, actedOn(arranged, 'agent-restart-within-grace'), 0);
    expect(ctx.values.hold_ms).to.be.within(EXPECTATION.holdMs, EXPECTATION.holdMs + 1000);
    expect(ctx.values).to.not.have.property('unrecovered_cause');
  });

  it('gives up at the deadline when writes never recover, and records what the SUT says is wrong', async () => {
    const sut = fakeSut({
      health: () => Promise.resolve({ healthy: false, problems: ['n2 not streaming'] }),
    });
    const ctx = await fakeContext(sut);
    const arranged = arrangedOn(sut);
    await observe(ctx, arranged, actedOn(arranged, 'network-partition'), 300);
    const deadline = Math.max(EXPECTATION.holdMs, EXPECTATION.recoveryWithinMs) + 300;
    expect(ctx.values.hold_ms).to.be.within(deadline, deadline + 1000);
    expect(ctx.values.unrecovered_cause).to.equal('n2 not streaming');
    expect(steps(ctx).at(-1)).to.match(/^observe: not recovered after .*: n2 not streaming$/);
  });

  it('ends at once when the target vanished', async () => {
    const sut = fakeSut();
    const ctx = await fakeContext(sut);
    const presence = new TargetPresence([]);
    presence.gone = 'target vanished: node n1 is gone';
    ctx.held.presence = presence;
    const arranged = arrangedOn(sut);
    const from = performance.now();
    const err = await observe(ctx, arranged, actedOn(arranged, 'network-partition'), 60_000).catch(
      (e: Error) => e,
    );
    presence.stop();
    expect(err).to.be.instanceOf(Error).with.property('message', 'target vanished: node n1 is gone');
    expect(performance.now() - from).to.be.below(5000);
  });
});

describe('scenario flow: heal', () => {
  const fault = (healed: () => Promise<void>): ActiveFault =>
    ({ heal: healed, [Symbol.asyncDispose]: healed }) as unknown as ActiveFault;

  it('a failed heal is the cluster’s health after the heal, and the flow stops', async () => {
    const sut = fakeSut();
    const ctx = await fakeContext(sut);
    ctx.held.fault = fault(() => Promise.reject(new Error('iptables: resource busy')));
    const err = await heal(ctx, arrangedOn(sut)).catch((e: Error) => e);
    expect(err).to.have.property('message', 'iptables: resource busy');
    expect(ctx.facts.health).to.deep.equal({
      healthy: false,
      problems: ['the heal failed: iptables: resource busy'],
    });
  });

  it('healed but not settled: the health says why, the settle time is recorded, the fault is let go', async () => {
    const sut = fakeSut({ settle: () => Promise.reject(new Error('no leader after 1s')) });
    const ctx = await fakeContext(sut);
    let heals = 0;
    ctx.held.fault = fault(() => {
      heals++;
      return Promise.resolve();
    });
    await heal(ctx, arrangedOn(sut));
    expect(heals).to.equal(1);
    expect(ctx.held.fault).to.equal(undefined);
    expect(ctx.facts.health).to.deep.equal({
      healthy: false,
      problems: ['did not settle: no leader after 1s'],
    });
    expect(ctx.values.settle_ms).to.be.a('number');
    expect(steps(ctx)).to.deep.equal(['heal', 'heal: waiting for the cluster to settle']);
  });
});

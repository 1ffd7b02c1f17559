import { expect } from 'chai';
import { LiveState } from '../../../lib/scenario/live-state.js';
import { Until } from '../../../lib/scenario/until.js';
import { FAULT_SCENARIOS, type FaultTarget } from '../../../lib/scenario/fault-catalog.js';
import type { TimelineEvent } from '../../../lib/observe/timeline-events.js';

const write = (t: number, outcome: 'acked' | 'failed' | 'unknown', latencyMs = 5): TimelineEvent => ({
  kind: 'write',
  t,
  wall: t,
  id: t,
  outcome,
  latencyMs,
});

describe('LiveState and Until', () => {
  it('writesRecovered needs a failure, then acks for the stable period after it', () => {
    const live = new LiveState();
    const until = Until.writesRecovered(1000);
    live.observe(write(0, 'acked'));
    expect(until.met(live, 0, 5000), 'no failure yet').to.equal(false);
    live.observe(write(100, 'unknown', 2000)); // outcome known at 2100
    live.observe(write(2200, 'acked'));
    expect(until.met(live, 0, 2500), 'only 400 ms stable').to.equal(false);
    expect(until.met(live, 0, 3200), '1100 ms stable').to.equal(true);
    live.observe(write(3300, 'failed'));
    expect(until.met(live, 0, 3400), 'a new failure resets it').to.equal(false);
  });

  it('counts outcomes and follows leader changes', () => {
    const live = new LiveState();
    live.primary = 'n1';
    live.observe(write(0, 'acked'));
    live.observe(write(1, 'failed'));
    live.observe(write(2, 'unknown'));
    live.observe({ kind: 'platform', t: 3, wall: 3, event: 'leader-changed', node: 'n2' });
    expect([live.acked, live.failed, live.unknown, live.primary]).to.deep.equal([1, 1, 1, 'n2']);
  });

  it('all() needs every condition; heldFor follows the held time', () => {
    const live = new LiveState();
    const c = Until.all(Until.heldFor(5000), Until.writesRecovered(1000));
    live.observe(write(0, 'failed'));
    live.observe(write(100, 'acked'));
    expect(c.met(live, 4999, 6000), 'held too short').to.equal(false);
    expect(c.met(live, 5000, 500), 'not stable yet').to.equal(false);
    expect(c.met(live, 5000, 6000)).to.equal(true);
  });
});

describe('when a scenario heals its fault (FAULT_SCENARIOS.healWhen)', () => {
  const target = (failedWritesAllowed: boolean): FaultTarget =>
    ({
      expectation: {
        recoveryWithinMs: 30_000,
        failedWritesAllowed,
        primaryMoves: false,
        holdMs: 5000,
        source: 'test',
      },
    }) as FaultTarget;

  it('where writes may fail: after the hold and once they have come back', () => {
    const live = new LiveState();
    live.observe(write(0, 'acked'));
    const c = FAULT_SCENARIOS['drive-offline'].healWhen(target(true));
    expect(c.met(live, 6000, 6000), 'no failure, no recovery yet').to.equal(false);
    live.observe(write(100, 'failed'));
    live.observe(write(200, 'acked'));
    expect(c.met(live, 6000, 6000)).to.equal(true);
  });

  it('where no write may fail: after the hold alone (there is no failure to recover from)', () => {
    const live = new LiveState();
    live.observe(write(0, 'acked'));
    for (const kind of ['drive-offline', 'agent-down-past-grace', 'network-partition'] as const) {
      const c = FAULT_SCENARIOS[kind].healWhen(target(false));
      expect(c.met(live, 4999, 4999), `${kind}: held too short`).to.equal(false);
      expect(c.met(live, 5000, 5000), kind).to.equal(true);
    }
  });
});

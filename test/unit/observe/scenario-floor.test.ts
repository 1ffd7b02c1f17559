import { expect } from 'chai';
import { scenarioFloor } from '../../../lib/observe/scenario-floor.js';
import type { TimelineEvent } from '../../../lib/observe/timeline-events.js';
import { TIMELINE_FORMAT, TIMELINE_VERSION, type TimelineData } from '../../../lib/observe/timeline.js';
import { fault, sorted, writes } from './synthetic-timeline.js';

const step = (t: number, name: string): TimelineEvent => ({ kind: 'step', t, wall: t, name });

function timeline(events: TimelineEvent[], durationMs: number): TimelineData {
  return {
    format: TIMELINE_FORMAT,
    version: TIMELINE_VERSION,
    scenario: 'network-partition',
    target: 'lab',
    sut: 'patroni',
    startedAt: new Date(0).toISOString(),
    events: sorted(events),
    measurements: { values: {}, flow: { facts: {}, durationMs } },
  };
}

describe('scenario floor', () => {
  it('splits the SUT’s part (fault in force, heal to settled) from the wall time', () => {
    const data = timeline(
      [
        step(0, 'arrange: target'),
        ...writes(5000, 90_000, 100, 'acked'),
        fault(10_000, 'injected'),
        fault(10_400, 'verified'),
        fault(52_000, 'healing'),
        fault(52_300, 'healed'),
        step(71_000, "assert: read back the ledger, count rows, check pgbench's tables, look for leftovers"),
      ],
      73_500,
    );
    expect(scenarioFloor(data)).to.deep.equal({
      wallMs: 73_500,
      faultMs: 42_000,
      settleMs: 19_000,
      floorMs: 61_000,
    });
  });

  it('has no floor when no fault was injected (a refused placement)', () => {
    const data = timeline([step(0, 'arrange: target'), step(900, 'assert: read back the ledger')], 1200);
    expect(scenarioFloor(data)).to.deep.equal({ wallMs: 1200, faultMs: 0, settleMs: 0, floorMs: 0 });
  });
});

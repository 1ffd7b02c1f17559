import { expect } from 'chai';
import { computeMetrics, unavailabilityWindows } from '../../../lib/observe/metrics.js';
import { ledgerRowDigest, type LedgerReadBack } from '../../../lib/observe/ledger-check.js';
import { noAcknowledgedWriteLost } from '../../../lib/assert/verdicts.js';
import type { TimelineEvent, WriteEvent } from '../../../lib/observe/timeline-events.js';
import { fault, probe, sorted, write, writes } from './synthetic-timeline.js';

/** acks every 50 ms before the fault at 1000, refused writes until 3000, acks again after. */
function simpleOutage(): TimelineEvent[] {
  return [
    ...writes(0, 1000, 50, 'acked'),
    fault(1000, 'injected'),
    ...writes(1000, 3000, 50, 'failed', 1),
    ...writes(3000, 4000, 50, 'acked'),
  ];
}

describe('metrics (synthetic timelines)', () => {
  it('measures a single outage: RTO to the completion of the first ack after the last failure', () => {
    const m = computeMetrics({ events: simpleOutage() });
    expect(m.rto_ms).to.equal(2005);
    expect(m.recovered).to.equal('yes');
    expect(m.rto_basis).to.equal('window');
    expect(m.unavailable_ms).to.equal(2005);
    expect(m.longest_unavailable_ms).to.equal(2005);
    expect(m.unavailable_windows).to.equal(1);
    expect(m.acked).to.equal(40);
    expect(m.failed).to.equal(40);
    expect(m.unknown).to.equal(0);
    expect(m.write_stall_ms).to.equal(2050); // last ack before (955) → first ack after (3005)
  });

  it('handles overlapping operations: a fast success closes a window a slow timeout opened', () => {
    const events: TimelineEvent[] = [
      write(0, 'acked', 5),
      fault(100, 'injected'),
      write(1000, 'unknown', 2000), // timed out: failure observed at its send time
      probe(1100, true, 10), // closes [1000, 1110]
      probe(1200, false, 500), // opens [1200, ...
      probe(1300, false, 500),
      write(1250, 'acked', 400), // ... closes at 1650
      probe(1400, false, 500), // before 1650: still inside the window
      probe(1700, true, 2),
      probe(1800, false, 100, 'read'), // read probes say nothing about the write path
    ];
    expect(unavailabilityWindows(events)).to.deep.equal([
      { start: 1000, end: 1110, open: false },
      { start: 1200, end: 1650, open: false },
    ]);
    const m = computeMetrics({ events });
    expect(m.unavailable_ms).to.equal(560);
    expect(m.longest_unavailable_ms).to.equal(450);
    expect(m.unavailable_windows).to.equal(2);
    expect(m.rto_ms).to.equal(1550);
    expect(m.unknown).to.equal(1);
    expect(m.probes).to.equal(6);
    expect(m.probe_failed).to.equal(4);
  });

  it('flags a fault that was never recovered from: rto Infinity with a lower bound', () => {
    const events = [
      ...writes(0, 1000, 50, 'acked'),
      fault(1000, 'injected'),
      ...writes(1000, 5000, 100, 'unknown', 1000),
    ];
    const m = computeMetrics({ events });
    expect(m.recovered).to.equal('no');
    expect(m.rto_ms).to.equal(Infinity);
    expect(m.rto_lower_bound_ms).to.equal(4900); // last observation: 4900 + 1000
    expect(m.unavailable_ms).to.equal(4900);
    expect(m.rto_basis).to.equal('never-recovered');
  });

  it('counts RTO from the injection when recovery came before the fault was verified', () => {
    const events = [
      ...writes(0, 1000, 50, 'acked'),
      fault(900, 'journaled'),
      fault(1000, 'injected'),
      ...writes(1000, 1500, 100, 'failed', 1),
      ...writes(1500, 3000, 50, 'acked'),
      fault(2000, 'verified'),
    ];
    const m = computeMetrics({ events });
    expect(m.rto_ms).to.equal(505);
    expect(m.fault_verified_ms).to.equal(1000);
    expect(m.fault_injected_t).to.equal(1000);
  });

  it('ignores the wall clock: jumps in wall change nothing', () => {
    const events = simpleOutage();
    const jumped = events.map((e, i) => ({ ...e, wall: i % 2 ? e.wall - 3_600_000 : e.wall + 86_400_000 }));
    expect(computeMetrics({ events: jumped })).to.deep.equal(computeMetrics({ events }));
  });

  it('does not depend on the order events were recorded in', () => {
    const events = simpleOutage();
    const shuffled = [...events].reverse();
    expect(computeMetrics({ events: shuffled })).to.deep.equal(computeMetrics({ events }));
  });

  it('gives RTO 0 when no write failed after the fault, and reports the slowdown as a stall', () => {
    const events = [
      ...writes(0, 1000, 50, 'acked'),
      fault(500, 'injected'),
      write(1000, 'acked', 900),
      ...writes(1950, 3000, 50, 'acked'),
    ];
    const m = computeMetrics({ events });
    expect(m.rto_ms).to.equal(0);
    expect(m.rto_basis).to.equal('no-failure');
    expect(m.unavailable_ms).to.equal(0);
    expect(m.write_stall_ms).to.equal(945); // ack at 955 → next ack at 1900
    expect(m.write_latency_max_ms).to.equal(900);
  });

  it('keeps failures caused by the heal out of the RTO', () => {
    const events = [
      ...writes(0, 1000, 50, 'acked'),
      fault(1000, 'injected'),
      ...writes(1000, 2000, 50, 'failed', 1),
      ...writes(2000, 3500, 50, 'acked'),
      fault(3000, 'healed'),
      ...writes(3500, 3700, 50, 'failed', 1),
      ...writes(3700, 4000, 50, 'acked'),
    ];
    const m = computeMetrics({ events });
    expect(m.rto_ms).to.equal(1005);
    expect(m.post_heal_unavailable_ms).to.equal(205);
    expect(m.unavailable_ms).to.equal(1210);
    expect(m.fault_healed_ms).to.equal(2000);
  });

  it("counts from the start of the heal: failures while the revert runs are the heal's", () => {
    // A drive restore: the fault failed nothing; the bricks rejoining during the revert did.
    const events = [
      ...writes(0, 1000, 50, 'acked'),
      fault(1000, 'injected'),
      ...writes(1000, 3000, 50, 'acked'),
      fault(3000, 'healing'),
      ...writes(3000, 3200, 50, 'acked'),
      ...writes(3200, 3400, 50, 'failed', 1),
      ...writes(3400, 3500, 50, 'unknown', 1),
      fault(3600, 'healed'),
      ...writes(3600, 4000, 50, 'acked'),
    ];
    const m = computeMetrics({ events });
    expect(m.rto_ms).to.equal(0);
    expect(m.rto_basis).to.equal('no-failure');
    expect(m.fault_heal_started_ms).to.equal(2000);
    expect(m.fault_healed_ms).to.equal(2600);
    expect(m.post_heal_unavailable_ms).to.be.greaterThan(300);
    expect(m).to.include({ failed: 4, unknown: 2, failed_after_heal: 4, unknown_after_heal: 2 });
    // The same failures before the heal began are the fault's.
    const early = computeMetrics({
      events: sorted(
        events.map((e) => (e.kind === 'fault' && e.phase === 'healing' ? { ...e, t: 3450 } : e)),
      ),
    });
    expect(early.rto_basis).to.equal('window');
    expect(early).to.include({ failed_after_heal: 0, unknown_after_heal: 1 });
  });

  it('says so when there was no fault to measure RTO from', () => {
    const m = computeMetrics({ events: writes(0, 1000, 50, 'acked') });
    expect(m.recovered).to.equal('no-fault');
    expect(m).not.to.have.property('rto_ms');
  });

  it('reports platform events after the fault as detection times', () => {
    const events: TimelineEvent[] = [
      fault(1000, 'injected'),
      { kind: 'platform', t: 500, wall: 0, event: 'leader-change' },
      { kind: 'platform', t: 4000, wall: 0, event: 'leader-change' },
      { kind: 'platform', t: 6000, wall: 0, event: 'leader-change' },
    ];
    expect(computeMetrics({ events }).platform_leader_change_ms).to.equal(3000);
  });

  it('computes RPO and write classification against the ledger read-back', () => {
    const outcomes: WriteEvent['outcome'][] = [
      'acked',
      'acked',
      'acked',
      'acked',
      'acked',
      'acked',
      'failed',
      'unknown',
      'unknown',
      'acked',
    ];
    const events = outcomes.map((o, i) => write(i * 100, o, 5, i + 1));
    const ledger: LedgerReadBack = {
      table: 'pxchaos_ledger',
      run: 'r',
      t: 5000,
      server: '127.0.0.1:5432',
      present: [
        [1, 2],
        [4, 8],
        [99, 99],
      ],
      duplicates: [5],
      rows: 9,
    };
    const m = computeMetrics({
      events,
      measurements: { values: { rows_before: 100000, rows_after: 99990 }, ledger },
    });
    expect(m.lost_acked).to.equal(2);
    expect(m.lost_acked_ids).to.equal('3,10');
    expect(m.lost_acked_span_ms).to.equal(700); // id 3 sent at 200, id 10 at 900
    expect(m.unknown_committed).to.equal(1);
    expect(m.unknown_not_committed).to.equal(1);
    expect(m.failed_committed).to.equal(1);
    expect(m.failed_committed_ids).to.equal('7');
    expect(m.duplicates).to.equal(1);
    expect(m.unexpected_rows).to.equal(1);
    expect(m.rows_before).to.equal(100000);
    expect(m.rows_after).to.equal(99990);
  });

  it('counts an acknowledged row changed after acknowledgement as lost, naming its id', () => {
    const events: WriteEvent[] = [1, 2, 3].map((id) => ({
      ...write(id * 100, 'acked', 5, id),
      digest: ledgerRowDigest('r', id, new Date(1000 + id), `p${id}`),
    }));
    const ledger: LedgerReadBack = {
      table: 'pxchaos_ledger',
      run: 'r',
      t: 5000,
      server: '127.0.0.1:5432',
      present: [[1, 3]],
      duplicates: [],
      rows: 3,
      contents: [
        [1, ledgerRowDigest('r', 1, new Date(1001), 'p1')],
        [2, ledgerRowDigest('r', 2, new Date(1002), 'changed')], // payload changed
        [3, ledgerRowDigest('r', 3, new Date(9999), 'p3')], // timestamp changed
      ],
    };
    const m = computeMetrics({ events, measurements: { values: {}, ledger } });
    expect(m.lost_acked).to.equal(0);
    expect(m.changed_acked).to.equal(2);
    expect(m.changed_acked_ids).to.equal('2,3');
    const v = noAcknowledgedWriteLost(m);
    expect(v.passed).to.equal(false);
    expect(v.message).to.match(/2 changed after acknowledgement: ids 2,3/);
    // The same row as written passes.
    const intact = computeMetrics({
      events,
      measurements: {
        values: {},
        ledger: {
          ...ledger,
          contents: [1, 2, 3].map(
            (id) => [id, ledgerRowDigest('r', id, new Date(1000 + id), `p${id}`)] as const,
          ),
        },
      },
    });
    expect(noAcknowledgedWriteLost(intact).passed).to.equal(true);
  });

  it('truncates long id lists but keeps the count', () => {
    const events = Array.from({ length: 80 }, (_, i) => write(i * 10, 'acked', 1, i + 1));
    const ledger: LedgerReadBack = {
      table: 't',
      run: 'r',
      t: 0,
      server: 's',
      present: [],
      duplicates: [],
      rows: 0,
    };
    const m = computeMetrics({ events, measurements: { values: {}, ledger } }, { maxListedIds: 5 });
    expect(m.lost_acked).to.equal(80);
    expect(m.lost_acked_ids).to.equal('1,2,3,4,5,... (75 more)');
  });
});

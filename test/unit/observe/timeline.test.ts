import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { computeMetrics } from '../../../lib/observe/metrics.js';
import { Timeline, loadTimeline, saveTimeline, type Clock } from '../../../lib/observe/timeline.js';

class ScriptedClock implements Clock {
  mono = 5000;
  wallMs = 1_700_000_000_000;
  monotonic(): number {
    return this.mono;
  }
  wall(): number {
    return this.wallMs;
  }
  advance(ms: number): void {
    this.mono += ms;
    this.wallMs += ms;
  }
}

describe('Timeline', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pxchaos-timeline-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stamps events on its monotonic clock and keeps them ordered by t, also when recorded late', () => {
    const clock = new ScriptedClock();
    const timeline = new Timeline({ clock });
    timeline.record({ kind: 'step', name: 'arrange' });
    clock.advance(100);
    timeline.record({ kind: 'step', name: 'act' });
    timeline.record({ kind: 'write', t: 50, id: 1, outcome: 'acked', latencyMs: 50 });
    expect(timeline.events.map((e) => e.t)).to.deep.equal([0, 50, 100]);
    expect(timeline.events[1]?.wall).to.equal(1_700_000_000_050);
  });

  it('is not moved by a wall-clock jump', () => {
    const clock = new ScriptedClock();
    const timeline = new Timeline({ clock });
    clock.advance(200);
    clock.wallMs -= 3_600_000; // NTP steps the clock back an hour
    const event = timeline.record({ kind: 'step', name: 'observe' });
    expect(event.t).to.equal(200);
    expect(timeline.now()).to.equal(200);
  });

  it('tells subscribers about each event until unsubscribed', () => {
    const timeline = new Timeline({ clock: new ScriptedClock() });
    const seen: string[] = [];
    const off = timeline.subscribe((e) => seen.push(e.kind));
    timeline.record({ kind: 'probe', ok: true, latencyMs: 1 });
    off();
    timeline.record({ kind: 'probe', ok: false, latencyMs: 1 });
    expect(seen).to.deep.equal(['probe']);
  });

  it('saves and loads a versioned file from which the same metrics come out', async () => {
    const clock = new ScriptedClock();
    const timeline = new Timeline({ clock });
    timeline.record({ kind: 'write', id: 1, outcome: 'acked', latencyMs: 3 });
    clock.advance(1000);
    timeline.record({ kind: 'fault', phase: 'injected', fault: 'partition', node: 'n1' });
    timeline.record({
      kind: 'write',
      id: 2,
      outcome: 'unknown',
      latencyMs: 2000,
      error: 'Query read timeout',
    });
    const data = timeline.toData(
      { scenario: 'partition-primary', target: 'lab', sut: 'patroni' },
      {
        values: { rows_before: 100000, odd: Infinity },
        ledger: {
          table: 'pxchaos_ledger',
          run: 'r1',
          t: 3000,
          server: 'h:1',
          present: [[1, 1]],
          duplicates: [],
          rows: 1,
        },
      },
    );
    const file = path.join(dir, 'sub', 'timeline.json');
    await saveTimeline(file, data);
    const loaded = await loadTimeline(file);
    expect(loaded.format).to.equal('pxchaos-timeline');
    expect(loaded.version).to.equal(1);
    expect(loaded.scenario).to.equal('partition-primary');
    expect(loaded.events).to.deep.equal(data.events);
    expect(loaded.measurements.values.odd).to.equal('Infinity');
    expect(computeMetrics(loaded)).to.deep.equal(
      computeMetrics({ ...data, measurements: loaded.measurements }),
    );
    expect(computeMetrics(loaded).recovered).to.equal('no');
  });

  it('refuses a file that is not a timeline, naming the file and the problem', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ format: 'pxchaos-timeline', version: 2 }));
    try {
      await loadTimeline(file);
      expect.fail('loadTimeline accepted a bad file');
    } catch (err) {
      expect((err as Error).message)
        .to.contain(file)
        .and.to.contain('version');
    }
  });
});

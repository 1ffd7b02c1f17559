import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveMessage } from '../../../lib/live/live-messages.js';
import { FLUSH_MS, LiveView } from '../../../lib/live/live-view.js';
import type { TimelineEvent } from '../../../lib/observe/timeline-events.js';

const write = (t: number, outcome: 'acked' | 'failed' = 'acked', error?: string): TimelineEvent => ({
  kind: 'write',
  t,
  wall: 1_800_000_000_000 + t,
  id: t,
  outcome,
  latencyMs: 3,
  ...(error && { error }),
});

/** A page: every message it was sent, decoded. */
function page(view: LiveView): { messages: LiveMessage[]; close: () => void } {
  const messages: LiveMessage[] = [];
  const close = view.subscribe((text) => {
    expect(text).to.match(/^data: .*\n\n$/s);
    expect(text.slice(6, -2)).to.not.include('\n');
    messages.push(JSON.parse(text.slice(6, -2)) as LiveMessage);
  });
  return { messages, close };
}

describe('LiveView', () => {
  it('sends events in batches, after the scenario they belong to, and within a flush period', async () => {
    const view = new LiveView('run');
    const p = page(view);
    const id = view.beginScenario('network-partition');
    for (let t = 0; t < 50; t++) view.event(id, write(t));
    expect(p.messages.map((m) => m.type)).to.deep.equal(['snapshot', 'scenario']);
    await sleep(FLUSH_MS * 2);
    const batches = p.messages.filter((m) => m.type === 'events');
    expect(batches).to.have.length(1);
    expect(batches[0]?.type === 'events' && batches[0].events.length).to.equal(50);
    p.close();
  });

  it('gives a page that (re)connects the whole state so far, and no event twice', async () => {
    const view = new LiveView('run');
    const id = view.beginScenario('drive-offline');
    view.event(id, write(1));
    await sleep(FLUSH_MS * 2);
    view.event(id, write(2)); // not yet flushed when the page connects
    const late = page(view);
    await sleep(FLUSH_MS * 2);
    const snapshot = late.messages[0];
    expect(snapshot?.type).to.equal('snapshot');
    if (snapshot?.type !== 'snapshot') return;
    expect(snapshot.snapshot.scenarios[0]?.events.map((e) => e.t)).to.deep.equal([1, 2]);
    expect(late.messages.slice(1)).to.deep.equal([]);
  });

  it('flushes pending events before a result, so the page sees them first', () => {
    const view = new LiveView('run');
    const p = page(view);
    const id = view.beginScenario('s');
    view.event(id, write(1));
    view.result(id, { checks: [{ name: 'rows preserved', passed: true }], metrics: {} });
    expect(p.messages.map((m) => m.type)).to.deep.equal(['snapshot', 'scenario', 'events', 'result']);
  });

  it('redacts credentials in events and step explanations', async () => {
    const view = new LiveView('run');
    const p = page(view);
    const id = view.beginScenario('s');
    view.event(
      id,
      write(1, 'failed', 'connect postgres://app:hunter2@10.0.0.3/db failed; PGPASSWORD=hunter2'),
    );
    const waiting = view.waitForNext('Next: cut the node (password=hunter2)');
    view.flush();
    expect(JSON.stringify(p.messages)).to.not.include('hunter2');
    expect(JSON.stringify(view.snapshot())).to.not.include('hunter2');
    view.next();
    await waiting;
  });

  it('a step waits for Next, for the terminal, or for the run to end — and says when it is over', async () => {
    const view = new LiveView('run');
    const p = page(view);
    expect(view.next(), 'nothing to release').to.equal(false);
    let released = false;
    const byNext = view.waitForNext('Next: inject').then(() => (released = true));
    await sleep(20);
    expect(released).to.equal(false);
    expect(view.snapshot().step?.explanation).to.equal('Next: inject');
    expect(view.next()).to.equal(true);
    await byNext;
    expect(view.snapshot().step).to.equal(null);

    let enter!: () => void;
    const byEnter = view.waitForNext('by Enter', new Promise<void>((r) => (enter = r)));
    enter();
    await byEnter;
    const ended = new AbortController();
    const byAbort = view.waitForNext('by the run ending', undefined, ended.signal);
    ended.abort();
    await byAbort;
    const steps = p.messages.flatMap((m) => (m.type === 'step' ? [m.step?.explanation ?? null] : []));
    expect(steps).to.deep.equal(['Next: inject', null, 'by Enter', null, 'by the run ending', null]);
  });
});

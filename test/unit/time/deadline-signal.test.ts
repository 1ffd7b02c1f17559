import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { deadlineSignal } from '../../../lib/time/deadline-signal.js';

// A real garbage collection between creating the signal and its deadline: the case that loses
// AbortSignal.any([parent, AbortSignal.timeout(ms)])'s timeout on Node 20 (nodejs/node#57736).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('deadlineSignal', () => {
  it('aborts at its deadline with a TimeoutError, also across garbage collections, with a live parent', async () => {
    const parent = new AbortController();
    const started = performance.now();
    const signal = deadlineSignal(300, parent.signal);
    expect(signal.aborted).to.equal(false);
    // No listener on the signal (a listener would keep more alive): look, collect, look again.
    while (!signal.aborted && performance.now() - started < 5000) {
      gc();
      await sleep(25);
    }
    expect(signal.aborted, 'aborted within 5 s').to.equal(true);
    expect(performance.now() - started).to.be.at.least(295);
    expect((signal.reason as DOMException).name).to.equal('TimeoutError');
    expect(parent.signal.aborted).to.equal(false);
  });

  it("aborts with the parent's reason when a parent aborts first", () => {
    const a = new AbortController();
    const b = new AbortController();
    const signal = deadlineSignal(60_000, undefined, a.signal, b.signal);
    b.abort(new Error('stopped by b'));
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as Error).message).to.equal('stopped by b');
  });

  it('accepts a fractional deadline (remaining-time arithmetic) and no parent', async () => {
    const signal = deadlineSignal(10.4);
    await sleep(60);
    expect(signal.aborted).to.equal(true);
  });
});

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
  it('aborts at its deadline with a TimeoutError, also after a garbage collection, with a live parent', async () => {
    const parent = new AbortController();
    const signal = deadlineSignal(100, parent.signal);
    gc();
    await sleep(50);
    gc();
    expect(signal.aborted).to.equal(false);
    await sleep(150);
    gc();
    expect(signal.aborted).to.equal(true);
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

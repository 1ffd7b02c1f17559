import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fakeContext, fakeSut } from '../../../support/fake-sut.js';

// A CI run hung 80 min in "settle before the fault": ctx.within(ms) was
// AbortSignal.any([run, AbortSignal.timeout(ms)]), whose timeout Node 20 may collect (nodejs/node#57736).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('scenario context: within(ms)', () => {
  it('aborts at its deadline even when garbage is collected meanwhile, the run going on', async () => {
    const ctx = await fakeContext(fakeSut(), 'network-partition');
    const started = performance.now();
    const signal = ctx.within(300);
    while (!signal.aborted && performance.now() - started < 5000) {
      gc();
      await sleep(25);
    }
    expect(signal.aborted, 'aborted within 5 s').to.equal(true);
    expect(performance.now() - started).to.be.at.least(295);
    expect(ctx.signal.aborted).to.equal(false);
  });
});

import { expect } from 'chai';
import { anyNodeCut, isNodeCut, markNodeCut, noAnswerUntil, onNodeCut } from '../../../lib/k8s/cut-nodes.js';

describe('nodes the harness treats as cut off (a partition through a helper pod)', () => {
  it('holds a node cut until every mark on it is lifted, and tells listeners as it is cut', () => {
    const seen: string[] = [];
    const unsubscribe = onNodeCut((node) => seen.push(node));
    const first = markNodeCut('w1');
    const second = markNodeCut('w1');
    expect([isNodeCut('w1'), isNodeCut('w2'), anyNodeCut()]).to.deep.equal([true, false, true]);
    first();
    first(); // idempotent: the second mark still holds
    expect(isNodeCut('w1')).to.equal(true);
    second();
    expect([isNodeCut('w1'), anyNodeCut(), isNodeCut(undefined)]).to.deep.equal([false, false, false]);
    unsubscribe();
    markNodeCut('w3')();
    expect(seen).to.deep.equal(['w1', 'w1']);
  });

  it('gives no answer until the deadline, and none of a deadline already past', async () => {
    await noAnswerUntil(AbortSignal.abort());
    const deadline = new AbortController();
    let answered = false;
    const waiting = noAnswerUntil(deadline.signal).then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).to.equal(false);
    deadline.abort();
    await waiting;
    expect(answered).to.equal(true);
  });
});

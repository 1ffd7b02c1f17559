import { expect } from 'chai';
import { isNodeDeadlineExit, withNodeDeadline } from '../../../lib/nodes/node-deadline.js';

describe('node-side deadline', () => {
  it('wraps argv in coreutils timeout with the deadline in seconds', () => {
    expect(withNodeDeadline(['iptables', '-S'], 1500)).to.deep.equal([
      'timeout',
      '--kill-after=2s',
      '1.5s',
      'iptables',
      '-S',
    ]);
  });

  it('reads 124/137 near the deadline as a timeout, an early 124 as the command’s own status', () => {
    expect(isNodeDeadlineExit(124, 1000, 1000)).to.be.true;
    expect(isNodeDeadlineExit(137, 3100, 1000)).to.be.true;
    expect(isNodeDeadlineExit(124, 10, 1000)).to.be.false;
    expect(isNodeDeadlineExit(1, 5000, 1000)).to.be.false;
  });
});

import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import {
  selfExcludingPattern,
  timerCancelArgv,
  timerMarker,
  timerStartArgv,
} from '../../../lib/faults/auto-revert-timer.js';

describe('auto-revert timer argv', () => {
  it('refuses fault ids that could break out of a pattern', () => {
    expect(timerMarker('partition-abc')).to.equal('pxchaos-timer-partition-abc');
    expect(() => timerMarker('a b')).to.throw();
    expect(() => timerMarker('a;b')).to.throw();
  });

  it('uses a pattern that matches the marker but not its own text', () => {
    const marker = timerMarker('x1');
    const pattern = new RegExp(selfExcludingPattern(marker));
    expect(pattern.test(`sh -c sleep 5 ${marker}`)).to.be.true;
    expect(pattern.test(timerCancelArgv(marker).join(' '))).to.be.false;
  });

  it('puts the marker and the quoted revert into the detached shell’s argv', () => {
    const argv = timerStartArgv('pxchaos-timer-x1', 1500, ['iptables', '-D', 'INPUT', '-j', 'A B']);
    expect(argv.at(-1)).to.equal('pxchaos-timer-x1');
    expect(argv.at(-2)).to.equal(`sleep 2; iptables -D INPUT -j 'A B'`);
    // the launcher script is valid sh
    execFileSync('sh', ['-n', '-c', argv[2]!]);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  cancelAutoRevertTimer,
  timerPending,
  selfExcludingPattern,
  timerCancelArgv,
  timerMarker,
  timerStartArgv,
  timerThenArgv,
} from '../../../lib/faults/auto-revert-timer.js';
import { LocalNodeAccess } from '../../support/local-node-access.js';
import { waitFor } from '../../support/wait-for.js';

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

/** The timer on this machine's own /bin/sh (dash on Debian, as on the lab and kube-lab nodes). */
describe('auto-revert timer on a real /bin/sh', () => {
  const node = new LocalNodeAccess('local');
  const groupMembers = (pgid: string): string[] =>
    spawnSync('ps', ['-o', 'pid=,args=', '-g', pgid], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.trim())
      .filter(Boolean);

  it('cancel ends the timer and its sleep: nothing of its process group is left', async () => {
    const marker = timerMarker(`cancel-test-${process.pid}`);
    const flag = path.join(os.tmpdir(), `${marker}.reverted`);
    const started = path.join(os.tmpdir(), `${marker}.then`);
    // The inject's one exec: the timer, then the fault's own command (here: a file that says it ran).
    await node.exec(timerThenArgv(marker, 60_000, ['touch', flag], ['touch', started]), {
      timeoutMs: 15_000,
    });
    expect(existsSync(started), 'the command after the timer ran').to.equal(true);
    let pgid = '';
    // The detached timer may still be starting when the exec returns: wait for its sleep.
    await waitFor('the timer sleeping in its own process group', () => {
      pgid = spawnSync('pgrep', ['-f', selfExcludingPattern(marker)], { encoding: 'utf8' }).stdout.trim();
      return pgid !== '' && groupMembers(pgid).some((l) => /\bsleep 60\b/.test(l));
    });
    expect(await timerPending(node, marker)).to.equal(true);

    await cancelAutoRevertTimer(node, marker);
    await waitFor('the group gone', () => groupMembers(pgid).length === 0, 5000);
    expect(await timerPending(node, marker)).to.equal(false);
    expect(existsSync(flag), 'the revert ran on cancel').to.equal(false);
  });

  it('the command after the timer fails the exec with its own status, the timer left armed for the heal', async () => {
    const marker = timerMarker(`then-fails-${process.pid}`);
    const r = await node.exec(timerThenArgv(marker, 60_000, ['true'], ['sh', '-c', 'exit 3']), {
      timeoutMs: 15_000,
      check: false,
    });
    expect(r.exitCode).to.equal(3);
    expect(await timerPending(node, marker)).to.equal(true);
    await cancelAutoRevertTimer(node, marker);
    expect(await timerPending(node, marker)).to.equal(false);
  });
});

import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FaultJournal } from '../../../lib/faults/journal.js';
import { findLeftovers } from '../../../lib/faults/leftovers.js';
import { AUTO_REVERT_MARGIN_MS } from '../../../lib/faults/hand-fault-plans.js';
import { startCli as start, type Finished } from '../../support/cli-process.js';
import { requireDocker } from '../../support/require-docker.js';
import { startTestLab, type TestLab } from './test-lab.js';

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  withinMs: number,
): Promise<void> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${withinMs}ms: ${what}`);
}

describe('pxchaos inject / heal CLI (real containers, separate processes)', function () {
  let lab: TestLab;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Finished> =>
    start(args, { ...env, ...extraEnv }).done;
  const leftovers = () => findLeftovers(lab.node('n1'));
  const injectInForce = async (forText: string) => {
    const proc = start(['inject', 'partition', '--node', 'n1', '--for', forText, '--lab', lab.lab], env);
    await waitFor('the partition is in force', () => proc.output().includes('in force'), 60_000).catch(
      (err: Error) => {
        proc.child.kill('SIGKILL');
        throw new Error(`${err.message}; output: ${proc.output()}`);
      },
    );
    return proc;
  };

  before(async function () {
    await requireDocker(this);
    this.timeout(600_000);
    lab = await startTestLab(['n1', 'n2']);
    stateDir = mkdtempSync(join(tmpdir(), 'pxchaos-cli-'));
    env = { PXCHAOS_STATE_DIR: stateDir, PXCHAOS_LAB: '' };
  });
  after(async () => {
    if (stateDir) {
      await run(['heal', '--all']).catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    }
    await lab?.remove();
  });

  it('applies a partition for --for, then heals and exits 0', async () => {
    const r = await run(['inject', 'partition', '--node', 'n1', '--for', '1s', '--lab', lab.lab]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout)
      .to.match(/verified from n2/)
      .and.match(/healed/)
      .and.match(/verified healed/);
    expect(await leftovers()).to.deep.equal([]);
    expect(await new FaultJournal(stateDir).openEntries()).to.deep.equal([]);
  });

  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`heals on ${sig} and exits ${code}`, async () => {
      const proc = await injectInForce('60s');
      expect(await leftovers()).to.not.be.empty;
      proc.child.kill(sig);
      const r = await proc.done;
      expect(r.code, r.stdout + r.stderr).to.equal(code);
      expect(await leftovers()).to.deep.equal([]);
      expect(await new FaultJournal(stateDir).openEntries()).to.deep.equal([]);
    });
  }

  it('after kill -9, the node-side timer removes the rules within its bound', async () => {
    const forMs = 3_000;
    const proc = await injectInForce('3s');
    proc.child.kill('SIGKILL');
    await proc.done;
    const killedAt = Date.now();
    expect(await leftovers()).to.not.be.empty;
    // Bound: --for plus the timer margin after injection; a little slack for a busy machine.
    await waitFor(
      'the auto-revert timer healed n1',
      async () => (await leftovers()).length === 0,
      forMs + AUTO_REVERT_MARGIN_MS + 10_000,
    );
    expect(Date.now() - killedAt).to.be.greaterThan(0);
    // The journal still holds it (its owner died): heal closes it, a no-op on the node.
    const heal = await run(['heal']);
    expect(heal.code, heal.stderr).to.equal(0);
    expect(heal.stdout).to.match(/^healed: partition on n1/m);
    expect(await new FaultJournal(stateDir).openEntries()).to.deep.equal([]);
  });

  it('after kill -9, `pxchaos heal` removes the rules at once; a second heal is a no-op', async () => {
    const proc = await injectInForce('60s');
    proc.child.kill('SIGKILL');
    await proc.done;
    expect(await leftovers()).to.not.be.empty;
    const first = await run(['heal']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^healed: partition on n1/m);
    expect(await leftovers()).to.deep.equal([]); // rules and the pending timer both gone
    const second = await run(['heal']);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(/^nothing to heal/);
  });

  it('leaves a fault of a running harness to its owner unless --all', async () => {
    const proc = await injectInForce('60s');
    try {
      const heal = await run(['heal']);
      expect(heal.stdout).to.match(/^skipped-owner-running: partition on n1/m);
      expect(await leftovers()).to.not.be.empty;
    } finally {
      proc.child.kill('SIGINT');
      await proc.done;
    }
  });

  describe('bad input and missing environment: one line, exit 2/3', () => {
    const oneLine = (r: Finished): void => {
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.not.match(/\n\s+at /);
    };

    it('unknown node → 2, listing the known ones', async () => {
      const r = await run(['inject', 'partition', '--node', 'n9', '--lab', lab.lab]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('known nodes: n1, n2');
      oneLine(r);
    });

    it('--for 10x → 2', async () => {
      const r = await run(['inject', 'partition', '--node', 'n1', '--for', '10x', '--lab', lab.lab]);
      expect(r.code).to.equal(2);
      oneLine(r);
    });

    it('no Docker engine → 3', async () => {
      const r = await run(['inject', 'partition', '--node', 'n1', '--lab', lab.lab], {
        DOCKER_HOST: 'unix:///nonexistent',
      });
      expect(r.code).to.equal(3);
      oneLine(r);
    });

    it('no docker CLI → 3', async () => {
      // A PATH with node and nothing else (docker may live next to node in /usr/bin).
      const bin = join(stateDir, 'bin-without-docker');
      mkdirSync(bin, { recursive: true });
      if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
      const r = await run(['inject', 'partition', '--node', 'n1', '--lab', lab.lab], { PATH: bin });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.include('docker');
      oneLine(r);
    });

    it('agent-down / drive-offline: bad --for or --mode → 2, before touching the lab', async () => {
      const badFor = await run(['inject', 'agent-down', '--node', 'n1', '--for', '5x', '--lab', lab.lab]);
      expect(badFor.code).to.equal(2);
      oneLine(badFor);
      const badMode = await run([
        'inject',
        'drive-offline',
        '--node',
        'n1',
        '--mode',
        'melt',
        '--lab',
        lab.lab,
      ]);
      expect(badMode.code).to.equal(2);
      expect(badMode.stderr).to.include('--mode');
      oneLine(badMode);
    });

    it('agent-down on containers that run no Patroni lab → 3, naming lab up', async () => {
      const r = await run(['inject', 'agent-down', '--node', 'n1', '--lab', lab.lab]);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.include('lab up');
      oneLine(r);
    });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { timerPending } from '../../../lib/faults/auto-revert-timer.js';
import type { NodeCheck } from '../../../lib/faults/fault-checks.js';
import type { FaultPlan } from '../../../lib/faults/fault-plan.js';
import { inject, type FaultPhase } from '../../../lib/faults/fault.js';
import { healOpenFaults } from '../../../lib/faults/heal-open-faults.js';
import { FaultJournal } from '../../../lib/faults/journal.js';
import { findLeftovers } from '../../../lib/faults/leftovers.js';
import { partitionPlan } from '../../../lib/faults/partition-fault.js';
import { LAB_PARTITION_PROBE_PORT } from '../../../lib/sut/patroni/lab-node-commands.js';
import { probeTcp } from '../../../lib/faults/tcp-reachability.js';
import { trackedFaultCount } from '../../../lib/faults/signal-heal.js';
import type { DockerExecNode } from '../../../lib/nodes/docker-exec-node.js';
import { SshNode } from '../../../lib/nodes/ssh-node.js';
import { requireDocker } from '../../support/require-docker.js';
import { enableSsh, startTestLab, type TestLab } from './test-lab.js';

async function waitFor(what: string, check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not within ${withinMs}ms: ${what}`);
}

describe('partition fault (real iptables in lab containers)', function () {
  let lab: TestLab;
  let dir: string;
  let journal: FaultJournal;
  let n1: DockerExecNode;
  let n2: DockerExecNode;
  let n3: DockerExecNode;
  const ips: Record<string, string> = {};
  /** The lab's: these containers run no Postgres, but a closed port answers with an RST all the same. */
  const port = LAB_PARTITION_PROBE_PORT;
  const probe = async (from: DockerExecNode, to: string) =>
    (await probeTcp(from, ips[to]!, port, 1500)).outcome;

  before(async function () {
    await requireDocker(this);
    this.timeout(600_000);
    lab = await startTestLab(['n1', 'n2', 'n3']);
    [n1, n2, n3] = [lab.node('n1'), lab.node('n2'), lab.node('n3')];
    for (const n of ['n1', 'n2', 'n3']) ips[n] = await lab.ip(n);
    dir = mkdtempSync(join(tmpdir(), 'pxchaos-partition-'));
    journal = new FaultJournal(join(dir, 'state'));
  });
  afterEach(async () => {
    // Whatever a failed test left: heal it so the next one starts clean.
    if (journal) await healOpenFaults(journal, undefined, { includeRunning: true });
  });
  after(async () => {
    await lab?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('isolates the node both ways while SSH keeps working, and heals without leftovers', async () => {
    const sshNode = new SshNode(await enableSsh(lab, 'n1', dir));
    try {
      const phases: FaultPhase[] = [];
      const plan = partitionPlan(n1, { maxDurationMs: 120_000, verify: { from: n2, port } });
      const fault = await inject(plan, { journal, onEvent: (p) => phases.push(p) });
      expect(phases).to.deep.equal(['journaled', 'injected', 'verified']);
      expect((await journal.openEntries()).map((e) => e.id)).to.deep.equal([fault.id]);
      expect(trackedFaultCount()).to.equal(1);

      expect(await probe(n2, 'n1')).to.equal('no-answer');
      expect(await probe(n3, 'n1')).to.equal('no-answer');
      expect(await probe(n1, 'n2')).to.be.oneOf(['no-answer', 'blocked-locally']);
      expect(await probe(n2, 'n3')).to.equal('answered');
      expect((await sshNode.exec(['hostname'])).stdout.trim()).to.equal('n1');
      expect(await findLeftovers(n1)).to.not.be.empty;

      await Promise.all([fault.heal(), fault.heal()]);
      await fault.heal();
      expect(phases).to.deep.equal([
        'journaled',
        'injected',
        'verified',
        'healing',
        'healed',
        'heal-verified',
      ]);
      expect(await probe(n2, 'n1')).to.equal('answered');
      expect(await probe(n1, 'n3')).to.equal('answered');
      expect(await findLeftovers(n1)).to.deep.equal([]);
      expect(await journal.openEntries()).to.deep.equal([]);
      expect(trackedFaultCount()).to.equal(0);
    } finally {
      await sshNode.close();
    }
  });

  it('cuts only the given peers', async () => {
    const plan = partitionPlan(n1, { peers: [n2], maxDurationMs: 120_000, verify: { from: n2, port } });
    await using _fault = await inject(plan, { journal });
    expect(await probe(n2, 'n1')).to.equal('no-answer');
    expect(await probe(n3, 'n1')).to.equal('answered');
    expect(await probe(n1, 'n3')).to.equal('answered');
  });

  it('reverts at once when the inject or its verification fails', async () => {
    const real = partitionPlan(n1, { maxDurationMs: 120_000 });
    const failing: FaultPlan = {
      ...real,
      prepare: async (addressOf) => ({
        ...(await real.prepare(addressOf)),
        inject: ['sh', '-c', 'echo nope >&2; exit 3'],
      }),
    };
    expect(await inject(failing, { journal }).catch((e: unknown) => e)).to.be.instanceOf(Error);
    const never: NodeCheck = {
      on: 'node',
      argv: ['true'],
      expect: 'never passes',
      timeoutMs: 10_000,
      judge: () => ({ ok: false, detail: 'not in force' }),
    };
    const unverifiable: FaultPlan = {
      ...real,
      prepare: async (addressOf) => ({
        ...(await real.prepare(addressOf)),
        verification: { inForce: [never], healed: [], inForceShows: '', healedShows: '' },
      }),
    };
    const err = await inject(unverifiable, { journal }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('partition on n1 not in force: not in force');
    expect(await findLeftovers(n1)).to.deep.equal([]);
    expect(await journal.openEntries()).to.deep.equal([]);
  });

  it('is reverted by the node-side timer when nobody heals it', async () => {
    const plan = partitionPlan(n1, { maxDurationMs: 6_000, verify: { from: n2, port } });
    const fault = await inject(plan, { journal, healOnSignals: false });
    const entry = (await journal.openEntries()).find((e) => e.id === fault.id)!;
    expect(await timerPending(n1, entry.timerMarker)).to.be.true;
    await waitFor(
      'the timer reverted the partition',
      async () => (await findLeftovers(n1)).length === 0,
      6_000 + 15_000,
    );
    expect(await probe(n2, 'n1')).to.equal('answered');
    await fault.heal(); // still fine: the revert is idempotent
    expect(await journal.openEntries()).to.deep.equal([]);
  });

  it('runs the whole lifecycle over SSH; the timer outlives the SSH connection', async () => {
    const options = await enableSsh(lab, 'n2', dir);
    const viaSsh = new SshNode(options);
    const plan = partitionPlan(viaSsh, { peers: [n3], maxDurationMs: 8_000, verify: { from: n3, port } });
    const fault = await inject(plan, { journal, healOnSignals: false });
    const entry = (await journal.openEntries()).find((e) => e.id === fault.id)!;
    expect(entry.address).to.deep.include({ kind: 'ssh', host: ips.n2, user: 'root' });
    await viaSsh.close();
    expect(await timerPending(n2, entry.timerMarker)).to.be.true;
    expect(await probe(n3, 'n2')).to.equal('no-answer');
    // heal by the journaled address: a fresh SSH connection, as `pxchaos heal` would make
    expect((await healOpenFaults(journal)).map((o) => o.action)).to.deep.equal(['healed']);
    expect(await findLeftovers(n2)).to.deep.equal([]);
    expect(await probe(n3, 'n2')).to.equal('answered');
  });

  it('healOpenFaults reverts journaled faults by their address, once', async () => {
    const plan = partitionPlan(n3, { maxDurationMs: 120_000 });
    await inject(plan, { journal, healOnSignals: false });
    expect(await findLeftovers(n3)).to.not.be.empty;
    const first = await healOpenFaults(journal);
    expect(first.map((o) => o.action)).to.deep.equal(['healed']);
    expect(await findLeftovers(n3)).to.deep.equal([]);
    expect(await healOpenFaults(journal)).to.deep.equal([]);
  });
});

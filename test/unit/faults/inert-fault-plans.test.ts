import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SCENARIO_NAMES } from '../../../lib/config/config-schema.js';
import { UsageError } from '../../../lib/errors.js';
import { inject } from '../../../lib/faults/fault.js';
import { handPartitionPlan, handSutFaultPlan } from '../../../lib/faults/hand-fault-plans.js';
import { FaultJournal } from '../../../lib/faults/journal.js';
import { partitionPlan } from '../../../lib/faults/partition-fault.js';
import { isNodeCut } from '../../../lib/k8s/cut-nodes.js';
import { plannedFaults } from '../../../lib/plan/planned-faults.js';
import { FAULT_SCENARIOS } from '../../../lib/scenario/fault-catalog.js';
import { LAB_FAULT_COMMANDS } from '../../../lib/sut/patroni/lab-node-commands.js';
import { driverFaultCommands } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { kubeFaultSurface } from '../../../lib/targets/kube-fault-surface.js';
import { KIND_TRAITS } from '../../../lib/targets/kind-target.js';
import { nodeIpv4 } from '../../../lib/nodes/node-ipv4.js';
import { PatroniSut } from '../../../lib/sut/patroni/patroni-sut.js';
import { FAULT_TEST_EXPECTATION } from '../../support/fault-test-expectation.js';
import { ScriptedNetwork, UntouchableNode } from '../../support/scripted-nodes.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const expectation = FAULT_TEST_EXPECTATION;

describe('fault plans are inert until injected', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-inert-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('building a partition, with node peers and a verifier, runs no node command', () => {
    const [n1, n2, n3] = [new UntouchableNode('n1'), new UntouchableNode('n2'), new UntouchableNode('n3')];
    const plan = partitionPlan(n1, {
      peers: [n2, n3, '10.9.9.9'],
      maxDurationMs: 60_000,
      verify: { from: n2, port: 24007 },
    });
    expect(plan.description).to.equal('partition n1 from n2, n3, 10.9.9.9 (SSH kept)');
    expect(plan.revert[3]).to.equal('pxchaos-unpartition');
    expect([...n1.asked, ...n2.asked, ...n3.asked]).to.deep.equal([]);
  });

  it("a partition of a node reached through a helper pod keeps the kubelet's port, and mirrors the cut on the harness's side", async () => {
    const helperNode = Object.assign(new UntouchableNode('w1'), {
      keptTcpPorts: [10250],
      viaKubeletOf: 'w1',
    });
    const n2 = new UntouchableNode('w2');
    const plan = partitionPlan(helperNode, { maxDurationMs: 60_000, verify: { from: n2, port: 24007 } });
    expect(plan.description).to.equal('partition w1 from all peers (TCP 10250 and loopback kept)');
    expect(() =>
      partitionPlan(helperNode, { maxDurationMs: 60_000, verify: { from: n2, port: 10250 } }),
    ).to.throw(UsageError, /port 10250, which it keeps open/);
    const prepared = await plan.prepare((n) => Promise.resolve(n === helperNode ? '10.0.0.1' : '10.0.0.2'));
    expect(prepared.inject.filter((r) => / -p tcp --[ds]port (22|10250) -j ACCEPT$/.test(r))).to.have.length(
      2,
    );
    expect(prepared.inject.filter((r) => r.includes(' 22 '))).to.deep.equal([]);
    expect(isNodeCut('w1')).to.equal(false);
    const lift = plan.mirror?.();
    expect(isNodeCut('w1'), 'cut while in force').to.equal(true);
    lift?.();
    expect(isNodeCut('w1'), 'lifted once reverted').to.equal(false);
    // A node reached over SSH or docker exec has no mirror: its cut is real for the harness too.
    expect(partitionPlan(n2, { maxDurationMs: 60_000 }).mirror).to.equal(undefined);
    expect([...helperNode.asked, ...n2.asked]).to.deep.equal([]);
  });

  it('every scenario, pxchaos inject and pxchaos plan build their faults without touching a node', async () => {
    const nodes = ['n1', 'n2', 'n3'].map((n) => new UntouchableNode(n));
    const [n1, ...peers] = nodes;
    const site = { node: n1!, peers, driveMode: 'hang', maxDurationMs: 60_000 } as const;
    for (const sut of [
      LAB_FAULT_COMMANDS,
      driverFaultCommands('gluster', configSchema.parse({})),
      driverFaultCommands('portworx', configSchema.parse({})),
    ])
      for (const kind of SCENARIO_NAMES) FAULT_SCENARIOS[kind].build({ ...site, sut });
    // A run's way in, with a run's Sut.
    const sut = new PatroniSut({
      nodes,
      endpoints: [],
      database: { user: 'u', password: 'p', database: 'd' },
    });
    for (const kind of SCENARIO_NAMES)
      void FAULT_SCENARIOS[kind].plan({
        sut,
        node: n1!,
        role: 'primary',
        peers,
        expectation,
        driveMode: 'hang',
      });

    const surface = kubeFaultSurface(configSchema.parse({}), KIND_TRAITS, "kind cluster 'test'", nodes);
    handPartitionPlan(surface, { node: 'n1', peers: ['n2', '10.9.9.9'], forMs: 1_000, verify: true });
    handPartitionPlan(surface, { node: 'n1', peers: [], forMs: 1_000, verify: true });
    handSutFaultPlan(surface, 'agent-down', { node: 'n1', forMs: 1_000, mode: 'error' });
    handSutFaultPlan(surface, 'drive-offline', { node: 'n1', forMs: 1_000, mode: 'hang' });
    expect(nodes.flatMap((n) => n.asked)).to.deep.equal([]);
    // The plan's nodes are placeholders that refuse every command: planning would reject.
    expect(await plannedFaults(LAB_FAULT_COMMANDS, 'error')).to.have.length(SCENARIO_NAMES.length);
  });

  it('looks the addresses up when injected, before anything is journaled', async () => {
    const net = new ScriptedNetwork();
    const [n1, n2, n3] = [net.node('n1', '10.0.0.1'), net.node('n2', '10.0.0.2'), net.node('n3', '10.0.0.3')];
    const plan = partitionPlan(n1, { peers: [n2], maxDurationMs: 60_000, verify: { from: n2, port: 5432 } });
    expect(net.commands).to.deep.equal([]);

    const journal = new FaultJournal(dir);
    const fault = await inject(plan, {
      journal,
      healOnSignals: false,
      addressOf: async (node) => {
        expect(await journal.openEntries(), 'journaled before the lookup').to.deep.equal([]);
        return nodeIpv4(node);
      },
    });
    const lookup = ': ip -4 -o addr show scope global';
    // The peer's address for the rules, then both ends' for the checks (looked up together: in
    // either order); then the timer is armed and the rules applied, in one exec.
    expect(net.commands[0]).to.equal(`n2${lookup}`);
    expect(net.commands.slice(1, 3).sort()).to.deep.equal([`n1${lookup}`, `n2${lookup}`]);
    expect(net.commands[3]).to.match(
      /^n1: sh -c setsid -f nohup [\s\S]* pxchaos-inject [\s\S]* pxchaos-partition /,
    );
    expect(net.commands.find((c) => c.includes('pxchaos-partition'))).to.include('-s 10.0.0.2 -j DROP');
    await fault.heal();

    // A verifier that is not among the cut peers is refused then: nothing journaled, nothing applied.
    const wrong = partitionPlan(n1, { peers: [n2], maxDurationMs: 60_000, verify: { from: n3, port: 5432 } });
    const before = net.commands.length;
    const err = await inject(wrong, { journal, healOnSignals: false }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.include('n3 (10.0.0.3) cannot verify the partition');
    expect(
      net.commands.slice(before).filter((c) => !c.endsWith(': ip -4 -o addr show scope global')),
    ).to.deep.equal([]);
    expect(await journal.openEntries()).to.deep.equal([]);
  });
});

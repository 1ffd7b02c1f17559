import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { inject } from '../../../lib/faults/fault.js';
import { handPartitionPlan } from '../../../lib/faults/hand-fault-plans.js';
import { holdFault } from '../../../lib/faults/hold-fault.js';
import { FaultJournal } from '../../../lib/faults/journal.js';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { plannedFaults, type PlannedFault } from '../../../lib/plan/planned-faults.js';
import { buildPlan } from '../../../lib/plan/plan-document.js';
import { FAULT_SCENARIOS } from '../../../lib/scenario/fault-catalog.js';
import { LAB_FAULT_COMMANDS } from '../../../lib/sut/patroni/lab-node-commands.js';
import { PatroniSut } from '../../../lib/sut/patroni/patroni-sut.js';
import { PostgresCredentials } from '../../../lib/sut/postgres-on-k8s/postgres-credentials.js';
import { PostgresOnK8sSut } from '../../../lib/sut/postgres-on-k8s/postgres-on-k8s-sut.js';
import type { Sut } from '../../../lib/sut/sut.js';
import { kubeFaultSurface } from '../../../lib/targets/kube-fault-surface.js';
import { KIND_TRAITS } from '../../../lib/targets/kind-target.js';
import { VM_TRAITS } from '../../../lib/targets/vm-target.js';
import { labFaultSurface } from '../../../lib/targets/lab-fault-surface.js';
import type { FaultSurface } from '../../../lib/targets/target.js';
import { FAULT_TEST_EXPECTATION } from '../../support/fault-test-expectation.js';
import { ScriptedNetwork, type ScriptedNode } from '../../support/scripted-nodes.js';
import { configSchema } from '../../../lib/pxchaos-config.js';
import type { StorageDriver } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';

const expectation = FAULT_TEST_EXPECTATION;

/** The probe steps of `pxchaos plan`'s network-partition fault: the port each goes to. */
const plannedProbePorts = (faults: readonly PlannedFault[]): number[] => {
  const partition = faults.find((f) => f.scenario === 'network-partition');
  const probes = (partition?.steps ?? []).filter((s) => s.argv.includes('pxchaos-probe'));
  expect(probes, 'probe steps in the plan').to.have.length(4);
  for (const p of probes) expect(p.purpose).to.include(`:${p.argv.at(-1)} must`);
  return [...new Set(probes.map((p) => Number(p.argv.at(-1))))];
};

/**
 * One SUT as each path sees it: the Sut a run opens (the scenario catalog builds the fault from it),
 * the fault surface `pxchaos inject` gets from the target, and what `pxchaos plan` prints.
 */
interface DriverPaths {
  readonly name: string;
  /** Where the port is declared. */
  readonly port: number;
  runSut(nodes: ScriptedNode[]): Sut;
  injectSurface(nodes: ScriptedNode[]): FaultSurface;
  plannedPorts(): Promise<number[]>;
}

describe('a partition is verified on the port its SUT declares, the same for run, inject and plan', () => {
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-partition-port-'));
    kubeconfig = join(dir, 'kubeconfig');
    // Read, never contacted: a run's PostgresOnK8sSut is built on a client.
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: x}}]\n',
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const kube = (driver: StorageDriver, target: 'kind' | 'vm', port: number): DriverPaths => {
    const config = configSchema.parse({ kube: { sut: driver } });
    const traits = { kind: KIND_TRAITS, vm: VM_TRAITS }[target];
    return {
      name: driver,
      port,
      runSut: (nodes) =>
        new PostgresOnK8sSut({
          name: driver,
          client: KubeClient.load({ kubeconfig }),
          namespace: 'pxchaos-test',
          credentials: new PostgresCredentials('secret'),
          nodes,
          agentCommands: () => ({ kill: ['true'], stop: ['true'], start: ['true'], status: ['true'] }),
          driveCommands: () => ({ hang: ['true'], error: ['true'], restore: ['true'], status: ['true'] }),
          expectations: {},
        }),
      injectSurface: (nodes) => kubeFaultSurface(config, traits, `${target} cluster 'test'`, nodes),
      plannedPorts: async () =>
        plannedProbePorts(
          (await buildPlan({ target, traits, driver, config, runId: 'run1abcd', password: 'x' })).faults,
        ),
    };
  };
  const drivers: DriverPaths[] = [
    {
      name: 'the lab (Patroni)',
      port: 5432,
      runSut: (nodes) =>
        new PatroniSut({
          nodes,
          endpoints: [],
          database: { user: 'u', password: 'p', database: 'postgres' },
        }),
      injectSurface: (nodes) => labFaultSurface('pxchaos-test', new Map(nodes.map((n) => [n.name, n])), true),
      // `pxchaos plan` prints no lab (it has no manifests); its faults are planned by the same code.
      plannedPorts: async () => plannedProbePorts(await plannedFaults(LAB_FAULT_COMMANDS, 'error')),
    },
    kube('gluster', 'kind', 24007),
    kube('portworx', 'vm', 9001),
  ];

  for (const d of drivers) {
    it(`${d.name}: ${d.port} in a run, in pxchaos inject and in pxchaos plan`, async () => {
      const journal = new FaultJournal(join(dir, d.name.replace(/\W+/g, '-')));

      const run = new ScriptedNetwork();
      const runNodes = [run.node('n1', '10.0.0.1'), run.node('n2', '10.0.0.2'), run.node('n3', '10.0.0.3')];
      const [primary, ...peers] = runNodes;
      const plan = await FAULT_SCENARIOS['network-partition'].plan({
        sut: d.runSut(runNodes),
        node: primary!,
        role: 'primary',
        peers,
        expectation,
        driveMode: 'error',
      });
      const fault = await inject(plan, { journal, healOnSignals: false });
      await fault.heal();

      const byHand = new ScriptedNetwork();
      const handNodes = [byHand.node('n1', '10.0.0.1'), byHand.node('n2', '10.0.0.2')];
      const lines: string[] = [];
      const { plan: handPlan } = handPartitionPlan(d.injectSurface(handNodes), {
        node: 'n1',
        peers: [],
        forMs: 10,
        verify: true,
      });
      await holdFault(handPlan, 10, (line) => lines.push(line), journal);

      expect({
        run: run.probedPorts(),
        inject: byHand.probedPorts(),
        plan: await d.plannedPorts(),
      }).to.deep.equal({ run: [d.port], inject: [d.port], plan: [d.port] });
      // What `pxchaos inject` says it verified (test/integration/k8s-targets.test.ts reads this line).
      expect(lines).to.include.members([
        `verified from n2: TCP to n1:${d.port} times out`,
        'verified healed: n1 answers again',
      ]);
      expect(await journal.openEntries()).to.deep.equal([]);
    });
  }
});

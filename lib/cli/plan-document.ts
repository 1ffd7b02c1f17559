import { randomBytes } from 'node:crypto';
import type { PxchaosConfig, ScenarioName, StorageDriver } from '../config/config-schema.js';
import { timerMarker } from '../faults/auto-revert-timer.js';
import { newFaultId } from '../faults/fault.js';
import { faultSteps, type NodeStep } from '../faults/fault-steps.js';
import { partitionChains, partitionInjectArgv, partitionRevertArgv } from '../faults/partition.js';
import { tcpProbeArgv } from '../faults/tcp-reachability.js';
import { pgbenchInitArgv, expectedAccountRows } from '../sut/postgres-on-k8s/pgbench-init.js';
import { POSTGRES_PORT } from '../sut/postgres-on-k8s/postgres-k8s-settings.js';
import { postgresManifests, type PostgresManifest } from '../sut/postgres-on-k8s/postgres-manifests.js';
import { redactSecret } from '../sut/postgres-on-k8s/postgres-secret.js';
import { STATEFULSET_NAME } from '../sut/postgres-on-k8s/postgres-statefulset.js';
import type { ClusterStorage } from '../sut/postgres-on-k8s/cluster-storage.js';
import { postgresK8sSettings, STORAGE_DRIVER_PROFILES } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { AgentCommands } from '../sut/sut.js';

/** Which node a step runs on is decided at run time: the plan names the roles. */
export const PRIMARY_NODE = '<primary node>';
export const PEER_NODE = '<peer node>';
const PRIMARY_IP = '<primary node IP>';
const PEER_IP = '<peer node IP>';
/** fault-catalog.ts: the timer fires this long after max(hold, recoveryWithin) of the SUT's expectation. */
const TIMER_SLEEP = '<seconds: max(hold, recoveryWithin) + 120>';
/** partition.ts: how long a verification probe waits for an answer. */
const PROBE_WAIT_MS = 2_000;

export interface PlanInput {
  readonly target: 'kind' | 'vm';
  readonly driver: StorageDriver;
  readonly config: PxchaosConfig;
  readonly runId: string;
  /** Used to build the Secret exactly as a run would; the plan shows it redacted. */
  readonly password: string;
}

export interface PlannedFault {
  readonly scenario: ScenarioName;
  readonly description: string;
  readonly steps: readonly NodeStep[];
}

/** The storage driver's cluster-level objects, which outlive a run (printed before the run's own). */
export interface PlannedStorage extends ClusterStorage {
  readonly scope: string;
}

export interface PlanDocument {
  readonly target: 'kind' | 'vm';
  readonly sut: StorageDriver;
  readonly nodeAccess: string;
  readonly storage?: PlannedStorage;
  readonly namespace: string;
  readonly manifests: readonly PostgresManifest[];
  readonly workload: {
    readonly pgbenchInit: {
      readonly exec: { readonly namespace: string; readonly pod: string; readonly container: string };
      readonly argv: readonly string[];
      readonly expectedRows: number;
    };
  };
  readonly faults: readonly PlannedFault[];
}

/** Everything `pxchaos plan` prints: the manifests a run applies and the node commands of each fault. */
export function buildPlan(input: PlanInput): PlanDocument {
  const { config, driver } = input;
  const settings = postgresK8sSettings(config.kube, driver);
  const built = postgresManifests(settings, { runId: input.runId, password: input.password });
  const scale = config.workload.pgbenchScale;
  const storage = STORAGE_DRIVER_PROFILES[driver].clusterStorage?.(config, settings);
  return {
    target: input.target,
    sut: driver,
    nodeAccess:
      input.target === 'kind'
        ? `docker exec into the node containers labelled io.x-k8s.kind.cluster=${config.kind.clusterName}`
        : 'SSH to the vm.inventory nodes, host keys pinned',
    ...(storage && {
      storage: {
        scope: 'once per cluster, before the first run; kept across runs, undone by the teardown below',
        ...storage,
      },
    }),
    namespace: built.namespace,
    manifests: built.objects.map((o) => (o.kind === 'Secret' ? redactSecret(o) : o)),
    workload: {
      pgbenchInit: {
        exec: { namespace: built.namespace, pod: `${STATEFULSET_NAME}-0`, container: 'postgres' },
        argv: pgbenchInitArgv(scale),
        expectedRows: expectedAccountRows(scale),
      },
    },
    faults: plannedFaults(driver, config),
  };
}

function plannedFaults(driver: StorageDriver, config: PxchaosConfig): PlannedFault[] {
  const driveMode = config.scenarios['drive-offline']?.driveMode ?? 'error';
  const profile = STORAGE_DRIVER_PROFILES[driver];
  const agentCommands = profile.agent(PRIMARY_NODE, config);
  const drive = profile.drive(PRIMARY_NODE, config);
  const steps = (
    kind: string,
    inject: readonly string[],
    revert: readonly string[],
    verify: {
      inForce: NodeStep[];
      healed: NodeStep[];
    },
  ) =>
    faultSteps({
      node: PRIMARY_NODE,
      timerMarker: timerMarker(newFaultId(kind)),
      timerSleep: TIMER_SLEEP,
      inject,
      revert,
      verifyInForce: verify.inForce,
      verifyHealed: verify.healed,
    });
  const statusCheck = (status: readonly string[], what: string) => ({
    inForce: [
      { on: PRIMARY_NODE, purpose: `verify in force: must exit non-zero (${what} down)`, argv: status },
    ],
    healed: [{ on: PRIMARY_NODE, purpose: `verify healed: must exit 0 (${what} up)`, argv: status }],
  });
  const agent = (scenario: ScenarioName, a: AgentCommands, hold: string): PlannedFault => ({
    scenario,
    description: `${driver} agent on ${PRIMARY_NODE} taken down, started again ${hold}`,
    steps: steps(scenario, a.kill, a.start, statusCheck(a.status, `${driver} agent`)),
  });

  const chains = partitionChains(randomBytes(4).toString('hex'));
  const probe = (from: string, to: string, expect: string): NodeStep => ({
    on: from,
    purpose: `verify: TCP ${from} → ${to}:${POSTGRES_PORT} ${expect}`,
    argv: tcpProbeArgv(to, POSTGRES_PORT, PROBE_WAIT_MS),
  });
  return [
    {
      scenario: 'network-partition',
      description: `partition ${PRIMARY_NODE} from all peers with iptables (SSH and loopback kept)`,
      steps: steps('partition', partitionInjectArgv(chains), partitionRevertArgv(chains), {
        inForce: [
          probe(PEER_NODE, PRIMARY_IP, 'must get no answer'),
          probe(PRIMARY_NODE, PEER_IP, 'must get no answer (or be refused locally)'),
        ],
        healed: [probe(PEER_NODE, PRIMARY_IP, 'must answer'), probe(PRIMARY_NODE, PEER_IP, 'must answer')],
      }),
    },
    agent('agent-restart-within-grace', agentCommands, 'within its grace window'),
    // An agent that restarts itself after a crash is held down another way past its grace.
    agent(
      'agent-down-past-grace',
      { ...agentCommands, ...agentCommands.holdDown },
      'only after its grace window',
    ),
    {
      scenario: 'drive-offline',
      description: `data drive of ${PRIMARY_NODE} ${driveMode === 'hang' ? 'hung (I/O blocks)' : 'failed (I/O errors)'}`,
      steps: steps(
        'drive-offline',
        driveMode === 'hang' ? drive.hang : drive.error,
        drive.restore,
        statusCheck(drive.status, 'drive'),
      ),
    },
  ];
}

import { pgbenchInitArgv, expectedAccountRows } from '../sut/postgres-on-k8s/pgbench-init.js';
import { postgresManifests, type PostgresManifest } from '../sut/postgres-on-k8s/postgres-manifests.js';
import { redactSecret } from '../sut/postgres-on-k8s/postgres-secret.js';
import { STATEFULSET_NAME } from '../sut/postgres-on-k8s/postgres-statefulset.js';
import type { ClusterStorage } from '../sut/postgres-on-k8s/cluster-storage.js';
import {
  driverFaultCommands,
  postgresK8sSettings,
  STORAGE_DRIVER_PROFILES,
  type StorageDriver,
} from '../sut/postgres-on-k8s/storage-drivers.js';
import type { KubeTargetTraits } from '../targets/kube-target-traits.js';
import { plannedFaults, type PlannedFault } from './planned-faults.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

export interface PlanInput {
  /** A Kubernetes target, and what it declares (how its nodes are reached). */
  readonly target: string;
  readonly traits: KubeTargetTraits;
  readonly driver: StorageDriver;
  readonly config: PxchaosConfig;
  readonly runId: string;
  /** Used to build the Secret exactly as a run would; the plan shows it redacted. */
  readonly password: string;
}

/** The storage driver's cluster-level objects, which outlive a run (printed before the run's own). */
export interface PlannedStorage extends ClusterStorage {
  readonly scope: string;
}

export interface PlanDocument {
  readonly target: string;
  readonly sut: StorageDriver;
  readonly nodeAccess: string;
  readonly nodeAccessPlan?: Record<string, unknown>;
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
export async function buildPlan(input: PlanInput): Promise<PlanDocument> {
  const { config, driver } = input;
  const settings = postgresK8sSettings(config.kube, driver);
  const built = postgresManifests(settings, { runId: input.runId, password: input.password });
  const scale = config.workload.pgbenchScale;
  const storage = STORAGE_DRIVER_PROFILES[driver].clusterStorage?.(config, settings);
  return {
    target: input.target,
    sut: driver,
    nodeAccess: input.traits.nodeAccess(config),
    ...(input.traits.nodeAccessPlan && { nodeAccessPlan: input.traits.nodeAccessPlan(config) }),
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
    faults: await plannedFaults(
      driverFaultCommands(driver, config),
      config.scenarios['drive-offline']?.driveMode,
    ),
  };
}

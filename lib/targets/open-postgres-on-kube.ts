import type { StorageStateWatchContext } from '../sut/postgres-on-k8s/storage-state-watch.js';
import { UsageError } from '../errors.js';
import { connectKube } from '../k8s/kube-client.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { arrangePostgres } from '../sut/postgres-on-k8s/arrange-postgres.js';
import { PostgresOnK8sSut } from '../sut/postgres-on-k8s/postgres-on-k8s-sut.js';
import { newRunId, runNamespaceName } from '../sut/postgres-on-k8s/run-namespace.js';
import { checkClaimableVolume } from '../sut/postgres-on-k8s/claimable-volume.js';
import { clearDeadRunNamespaces } from '../sut/postgres-on-k8s/dead-run-namespaces.js';
import { deleteRunNamespace } from '../sut/postgres-on-k8s/run-namespace-teardown.js';
import {
  TARGET_IMAGE_PLACEHOLDER,
  postgresK8sSettings,
  STORAGE_DRIVER_PROFILES,
} from '../sut/postgres-on-k8s/storage-drivers.js';
import { driverSetupForRun } from './driver-setup-for-run.js';
import { clusterTimings, kubeRunTimings } from './kube-run-timings.js';
import { storageDriverOf, type KubeTargetTraits } from './kube-target-traits.js';
import type { OpenTarget, TargetName } from './target.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/** A Kubernetes cluster a target has checked (preflight) and can run Postgres on. */
export interface KubeRunCluster {
  readonly target: TargetName;
  readonly traits: KubeTargetTraits;
  readonly kubeconfig: string;
  readonly context: string;
  /** Where Postgres may run and faults go: named like their Kubernetes nodes. */
  readonly nodes: readonly NodeAccess[];
  /** Every Kubernetes node by name (the control plane too): the storage driver's provisioning. */
  readonly nodeAccess: (node: string) => NodeAccess | undefined;
  /** When the cluster is a kube lab: the PostgreSQL image its nodes' containerd holds. */
  readonly kubeLabImage?: string;
  /** Makes released volumes claimable again (a kube lab's fixed pool); after dead runs' namespaces went. */
  readonly reclaimVolumes?: (progress: (line: string) => void, signal?: AbortSignal) => Promise<void>;
}

/**
 * The common half of `--target kind|vm`: the run's namespace with Postgres in a StatefulSet on the
 * configured storage driver (`kube.sut`, else the target's default: `KubeTargetTraits`), Running and
 * Ready, seen as a PostgresOnK8sSut. A driver that detects its cluster's setup (portworx: Stork and
 * the StorageClass's repl) does so first, said in one progress line. close() stops the SUT's
 * port-forward and watches and deletes the run namespace (the only kind of namespace the harness
 * deletes); an arrange that fails deletes it too.
 */
export async function openPostgresOnKube(
  config: PxchaosConfig,
  cluster: KubeRunCluster,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<OpenTarget> {
  const driver = storageDriverOf(config, cluster.traits);
  const defaults = postgresK8sSettings(config.kube, driver, cluster.kubeLabImage);
  if (defaults.image === TARGET_IMAGE_PLACEHOLDER)
    throw new UsageError(
      `target ${cluster.target}: context ${cluster.context} is not a kube lab, so the ${driver} driver has no default image there; set kube.image`,
    );
  // Not bound to open()'s signal: the SUT keeps this client (watches, port-forward) after open.
  const client = await connectKube({ kubeconfig: cluster.kubeconfig, context: cluster.context });
  // A run killed with -9 left its namespace holding a volume: removed (its run provably dead) so
  // that its volume can be reclaimed; another run's is refused here (exit 3), before anything is made.
  const notes = await clearDeadRunNamespaces(client, {
    prefix: defaults.namespacePrefix,
    context: cluster.context,
    progress,
    ...(signal && { signal }),
  });
  for (const line of notes) progress(line);
  await cluster.reclaimVolumes?.(progress, signal);
  const profile = STORAGE_DRIVER_PROFILES[driver];
  // The driver's cluster storage first (portworx: loop devices, PX, its StorageClass): the
  // detection below reads the StorageClass.
  await profile.provisionStorage?.({
    config,
    settings: defaults,
    client,
    nodeAccess: cluster.nodeAccess,
    progress,
    ...(signal && { signal }),
  });
  // Before anything of the run is created: what the driver detects decides the StatefulSet's scheduler, and a
  // detection that fails (a missing StorageClass, say) leaves nothing to tear down.
  const setup = await driverSetupForRun(config, profile, defaults, client, progress, signal);
  const { settings } = setup;
  // A claim that cannot bind stops the run now, naming who holds the volumes (not minutes later).
  await checkClaimableVolume(client, settings.storageClass, cluster.context);
  const runId = newRunId();
  const namespace = runNamespaceName(settings.namespacePrefix, runId);
  const teardown = (): Promise<unknown> =>
    // Not the run's signal: the namespace goes also when the run was aborted.
    deleteRunNamespace(client.with({ signal: AbortSignal.timeout(330_000) }), namespace, {
      prefix: settings.namespacePrefix,
      runId,
      progress,
    });
  let arranged;
  try {
    arranged = await arrangePostgres(client, {
      settings,
      runId,
      // initdb on a fresh replica-3 Gluster volume through two FUSE layers: measured up to 3m28s on
      // the 2-core CI machine (94-117 s when idle); a progress line every 15 s meanwhile.
      readyTimeoutMs: 600_000,
      progress,
      ...(signal && { signal }),
    });
  } catch (err) {
    await teardown().catch((e: unknown) => progress(`teardown of ${namespace}: ${(e as Error).message}`));
    throw err;
  }
  const sut = new PostgresOnK8sSut({
    name: driver,
    client,
    namespace,
    credentials: arranged.credentials,
    nodes: cluster.nodes,
    agentCommands: (node) => profile.agent(node, config),
    // The drive a node's replica sits on is the driver's business (issue 10 / 11 resolve it per node).
    driveCommands: (node) => profile.drive(node, config),
    expectations: setup.expectations,
    placedExpectations: setup.placedExpectations,
    replicaNodes: profile.replicaNodes,
    checkNodes: profile.checksNodes,
    ...(profile.storageCheck && { storageCheck: profile.storageCheck }),
    ...(profile.storageRepair && { storageRepair: profile.storageRepair }),
    ...(profile.versionCommand && { versionCommand: profile.versionCommand }),
    ...(profile.watchState && {
      watchStorage: (context: StorageStateWatchContext) => profile.watchState!(config, context),
    }),
    ...(setup.storageDownRemedy && { storageDownRemedy: setup.storageDownRemedy }),
    timings: { ...(await clusterTimings(client)), ...kubeRunTimings(config, profile, setup) },
    ...(setup.forceDeleteStuckPodAfterMs !== undefined && {
      forceDeleteStuckPodAfterMs: setup.forceDeleteStuckPodAfterMs,
    }),
  });
  return {
    name: cluster.target,
    sut,
    notes,
    async close() {
      await sut.close();
      await teardown();
    },
  };
}

import type { KubeSettings, PxchaosConfig, StorageDriver, Target } from '../../config/config-schema.js';
import { STORAGE_CLASS as GLUSTER_STORAGE_CLASS } from '../../kube-lab/gluster-storage.js';
import { POSTGRES_IMAGE_REPO } from '../../kube-lab/kube-lab-layout.js';
import { GLUSTER_EXPECTATIONS, GLUSTER_PLACED_EXPECTATIONS } from '../gluster/gluster-expectations.js';
import {
  GLUSTER_AGENT,
  GLUSTER_DRIVE,
  GLUSTER_HEAL_PENDING,
  GLUSTER_LAUNCH_HEAL,
} from '../gluster/gluster-node-commands.js';
import { portworxClusterStorage } from '../portworx/portworx-cluster-storage.js';
import { portworxAgentCommands } from '../portworx/portworx-agent-stop.js';
import { portworxDriveCommands, portworxScsiDriveCommands } from '../portworx/portworx-node-commands.js';
import { provisionPortworxStorage, teardownPortworxStorage } from '../portworx/px-provision-kube.js';
import { pxDmName } from '../portworx/loop-device-script.js';
import { detectPortworxSetup } from '../portworx/portworx-detected-setup.js';
import { watchPxState } from '../portworx/watch-px-state.js';
import { PORTWORX_STORAGE_CLASS } from '../portworx/portworx-storage-class.js';
import type { Expectations, PlacedExpectations } from '../expectations.js';
import { glusterBrickNodes } from '../gluster/gluster-brick-nodes.js';
import type { ReadReplicaNodes } from './replica-nodes.js';
import type { AgentCommands, DriveCommands, SutFaultCommands } from '../sut.js';
import type { ClusterStorage, ClusterStorageContext, ClusterStorageTeardown } from './cluster-storage.js';
import type { DetectDriverSetup } from './detected-driver-setup.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import type { StorageStateWatch, StorageStateWatchContext } from './storage-state-watch.js';

/**
 * What differs between the storage drivers under the Postgres StatefulSet: manifest defaults and
 * the node commands of the agent and drive faults.
 */
export interface StorageDriverProfile {
  readonly name: StorageDriver;
  readonly storageClass: string;
  /** The StatefulSet's scheduler; a run takes the detected one instead where the driver detects (`detect`). */
  readonly schedulerName?: string;
  /** The image when the config names none (for the kube lab a placeholder the run resolves). */
  readonly image: { readonly ref: string; readonly pullPolicy: PostgresK8sSettings['imagePullPolicy'] };
  /** The agent faults' commands on `node` (a Kubernetes node name, or a plan's placeholder). */
  agent(node: string, config: PxchaosConfig): AgentCommands;
  /** The drive fault's commands on `node` (a Kubernetes node name, or a plan's placeholder). */
  drive(node: string, config: PxchaosConfig): DriveCommands;
  /** A port every storage node listens on: a partition is verified by it being cut (and back) from a peer. */
  readonly partitionProbePort: number;
  /** Whether SUT health also runs the agent and drive status commands on every node. */
  readonly checksNodes: boolean;
  /** Run on one node by SUT health: fails while the storage is repairing itself (not settled). */
  readonly storageCheck?: readonly string[];
  /** Run on one node while the storage check fails during a settle (at most once a minute). */
  readonly storageRepair?: readonly string[];
  /**
   * When no storage-aware operator moves the pod off a NotReady node, the harness force-deletes it
   * after this long (config `kube.forceDeleteStuckPodAfter` overrides).
   */
  readonly forceDeleteStuckPodAfterMs?: number;
  /**
   * The faults this driver supports, each with its expectation and sources. A fault missing here
   * stops its scenario before the injection (lib/scenario/fault-not-supported.ts). Where the driver
   * detects (`detect`), a run uses the detected expectations instead.
   */
  readonly expectations: Expectations;
  /** When the fault hits a node holding a storage replica but not the pod, or neither (`--placement`). */
  readonly placedExpectations: PlacedExpectations;
  /** Which nodes hold the volume's replicas, as the driver reads it (lib/sut/placement.ts). */
  readonly replicaNodes: ReadReplicaNodes;
  /**
   * For drivers whose behaviour under faults depends on the cluster's setup: reads it before the
   * run arranges Postgres, and gives the run's expectations, scheduler and stuck-pod remedy in
   * place of the static ones above (config settings still win). None for gluster: the kube lab's
   * GlusterFS is always set up the same way.
   */
  readonly detect?: DetectDriverSetup;
  /**
   * What the driver provisions once per cluster before a run (drives, StorageClass). None for
   * gluster: `pxchaos kube-lab up` provisions the kube lab's storage.
   */
  clusterStorage?(config: PxchaosConfig, settings: PostgresK8sSettings): ClusterStorage;
  /**
   * The storage's own view of its nodes and of the run's volume, fed into the timeline while the
   * SUT watches (started and stopped with its `watch`). None for gluster: its state is checked by
   * the storage check, not watched.
   */
  watchState?(config: PxchaosConfig, context: StorageStateWatchContext): StorageStateWatch;
  /**
   * Provisions that storage on the cluster before a run arranges Postgres (and before `detect`
   * reads the StorageClass); idempotent, what is there is reused. Marks what it creates.
   */
  provisionStorage?(ctx: ClusterStorageContext): Promise<void>;
  /** `pxchaos teardown`: removes what provisionStorage created, and only that. */
  teardownStorage?(ctx: ClusterStorageContext): Promise<ClusterStorageTeardown>;
  /** Where no teardownStorage: what `pxchaos teardown` says instead (who owns the storage). */
  readonly noTeardown?: string;
}

/**
 * The kube lab's image tag is its build context's content hash, known only once Docker has built
 * it (lib/kube-lab/kube-images.ts): a run takes it from `ensureKubeImages`; a plan shows this.
 */
export const KUBE_LAB_IMAGE_PLACEHOLDER = `${POSTGRES_IMAGE_REPO}:<content hash>`;

export const STORAGE_DRIVER_PROFILES: Readonly<Record<StorageDriver, StorageDriverProfile>> = {
  gluster: {
    name: 'gluster',
    storageClass: GLUSTER_STORAGE_CLASS,
    // Only in the nodes' containerd (the kube lab has no registry).
    image: { ref: KUBE_LAB_IMAGE_PLACEHOLDER, pullPolicy: 'Never' },
    agent: () => GLUSTER_AGENT,
    drive: () => GLUSTER_DRIVE,
    partitionProbePort: 24007, // glusterd, on every worker
    checksNodes: true,
    storageCheck: GLUSTER_HEAL_PENDING,
    storageRepair: GLUSTER_LAUNCH_HEAL,
    forceDeleteStuckPodAfterMs: 30_000,
    expectations: GLUSTER_EXPECTATIONS,
    placedExpectations: GLUSTER_PLACED_EXPECTATIONS,
    replicaNodes: glusterBrickNodes,
    noTeardown:
      'nothing to tear down for gluster: the kube lab provisions its GlusterFS, and pxchaos kube-lab down removes it',
  },
  portworx: {
    name: 'portworx',
    // The workshop's StorageClass: repl "2", priority_io high.
    storageClass: PORTWORX_STORAGE_CLASS,
    // Stork's extender places the pod on a node holding a replica (portworx.md). What a plan shows:
    // a run names it only when Stork is detected (portworxRecovery), else default-scheduler.
    schedulerName: 'stork',
    image: { ref: 'postgres:15', pullPolicy: 'IfNotPresent' },
    // systemctl, the px/service label or pkill -9 px-storage (config portworx.agentStop).
    agent: (node, config) => portworxAgentCommands(config.portworx.agentStop, node),
    // The PX drive behind the loop-device layer's dm device on that node (loop-device-script.ts);
    // a node without it refuses the fault, naming what is missing.
    drive: (node, config) =>
      config.portworx.scsiDrive
        ? portworxScsiDriveCommands(config.portworx.scsiDrive)
        : portworxDriveCommands(pxDmName(node)),
    // Health is the pod's and Postgres'; PX's own state goes into the timeline (watchState).
    partitionProbePort: 9001, // PX's management port, on every PX node (portworx.md: 9001-9022)
    checksNodes: false,
    // No static forceDeleteStuckPodAfterMs nor expectations: both depend on Stork (its health
    // monitor moves pods off a node whose PX is down) and on the StorageClass's repl, which a run
    // detects (portworx-detected-setup.ts); a plan shows no expectations.
    expectations: {},
    placedExpectations: {},
    // A replica placement is refused: which nodes hold the volume is in `pxctl volume inspect`,
    // which the harness does not read yet.
    replicaNodes: () =>
      Promise.resolve({
        unknown:
          "the Portworx volume's replica nodes are not readable yet (pxctl volume inspect is not read by the harness)",
      }),
    detect: detectPortworxSetup,
    // Workshop-style loop-device drives and the StorageClass (issue 11).
    clusterStorage: (config, settings) => portworxClusterStorage(config.portworx, settings.storageClass),
    watchState: (config, context) => watchPxState(config.portworx, context),
    provisionStorage: (ctx) => provisionPortworxStorage(ctx),
    teardownStorage: (ctx) => teardownPortworxStorage(ctx),
  },
};

/**
 * The driver's side of its faults with the config's settings: a run's Sut, `pxchaos inject`'s fault
 * surface and `pxchaos plan` all take them from here, so one driver verifies a partition on one port.
 */
export function driverFaultCommands(driver: StorageDriver, config: PxchaosConfig): SutFaultCommands {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  return {
    agentCommands: (node) => profile.agent(node, config),
    driveCommands: (node) => profile.drive(node, config),
    partitionProbePort: profile.partitionProbePort,
  };
}

/** kind runs on the kube lab here (GlusterFS; Portworx on kind is unsupported), vm on users' Portworx. */
export function defaultStorageDriver(target: Exclude<Target, 'lab'>): StorageDriver {
  return target === 'kind' ? 'gluster' : 'portworx';
}

/**
 * The config's `kube` section completed with the driver's defaults. `kubeLabImage`: the kube lab's
 * Postgres image as built (`KubeImages.postgres`), in place of the placeholder when the config names none.
 */
export function postgresK8sSettings(
  kube: KubeSettings,
  driver: StorageDriver,
  kubeLabImage?: string,
): PostgresK8sSettings {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  const schedulerName = kube.schedulerName ?? profile.schedulerName;
  const { cpuRequest, memoryRequest, cpuLimit, memoryLimit } = kube.resources;
  const defaultImage =
    profile.image.ref === KUBE_LAB_IMAGE_PLACEHOLDER && kubeLabImage ? kubeLabImage : profile.image.ref;
  return {
    namespacePrefix: kube.namespacePrefix,
    image: kube.image ?? defaultImage,
    imagePullPolicy: kube.imagePullPolicy ?? (kube.image ? 'IfNotPresent' : profile.image.pullPolicy),
    storageClass: kube.storageClass ?? profile.storageClass,
    storageSize: kube.storageSize,
    ...(schedulerName !== undefined && { schedulerName }),
    tolerationMs: kube.tolerationMs,
    resources: {
      requests: { cpu: cpuRequest, memory: memoryRequest },
      limits: { ...(cpuLimit !== undefined && { cpu: cpuLimit }), memory: memoryLimit },
    },
    ...(kube.nodeSelector && { nodeSelector: kube.nodeSelector }),
    ...(kube.nodePort !== undefined && { nodePort: kube.nodePort }),
  };
}

import type { z } from 'zod';
import type { Expectations, PlacedExpectations } from '../expectations.js';
import type { RecoveryPhasePlans, TimingSettings } from '../recovery-phases.js';
import type { AgentCommands, DriveCommands } from '../sut.js';
import type { ClusterStorage, ClusterStorageContext, ClusterStorageTeardown } from './cluster-storage.js';
import type { DetectDriverSetup } from './detected-driver-setup.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import type { ReadReplicaNodes } from './replica-nodes.js';
import type { StorageStateWatch, StorageStateWatchContext } from './storage-state-watch.js';

/**
 * The image a target builds and provides (the kube lab's, tagged by its build context's content
 * hash, known once Docker has built it): a driver whose default is this takes the target's image;
 * a plan shows this placeholder.
 */
export const TARGET_IMAGE_PLACEHOLDER = '<the Postgres image the target built>';

/** What a driver without a config section of its own reads of the config: nothing. */
export type NoDriverConfig = Record<never, never>;

/**
 * A driver's own section of the config file (`portworx:`), under `key`: the config schema is
 * composed with it (lib/pxchaos-config.ts), so the section is validated, defaulted, overridable
 * from PXCHAOS_* variables and documented like the base sections. `C`: what the driver reads of
 * the config, `{ [key]: the schema's output }`.
 */
export interface DriverConfigSection<K extends string = string, T = unknown> {
  readonly key: K;
  /** Every key optional: a config that does not use the driver has no such section (it gets `{}`). */
  readonly schema: z.ZodType<T>;
  /** Keys within the section that are local file paths, resolved like the base's (`['install', 'specFile']`). */
  readonly filePaths?: readonly (readonly string[])[];
}

/**
 * What differs between the storage drivers under the Postgres StatefulSet: manifest defaults, the
 * node commands of the agent and drive faults, and the driver's config section. `C` is the part of
 * the config its hooks read: its own section (`NoDriverConfig` where it has none). A driver object
 * `satisfies` this (its own types kept: the registry derives the config's driver sections from them),
 * and is listed once in the registry (storage-drivers.ts), which is all that names a driver.
 */
export interface StorageDriverProfile<N extends string = string, C = NoDriverConfig> {
  readonly name: N;
  /**
   * Its settings beyond the StatefulSet's (which are `kube`), if it has any: a section whose output
   * under its key is `C` (portworx-config.ts), so that the composed config reaches the hooks.
   */
  readonly config?: DriverConfigSection;
  readonly storageClass: string;
  /** The StatefulSet's scheduler; a run takes the detected one instead where the driver detects (`detect`). */
  readonly schedulerName?: string;
  /** The image when the config names none (for the kube lab a placeholder the run resolves). */
  readonly image: { readonly ref: string; readonly pullPolicy: PostgresK8sSettings['imagePullPolicy'] };
  /** The agent faults' commands on `node` (a Kubernetes node name, or a plan's placeholder). */
  agent(node: string, config: C): AgentCommands;
  /** The drive fault's commands on `node` (a Kubernetes node name, or a plan's placeholder). */
  drive(node: string, config: C): DriveCommands;
  /** A port every storage node listens on: a partition is verified by it being cut (and back) from a peer. */
  readonly partitionProbePort: number;
  /** Whether SUT health also runs the agent and drive status commands on every node. */
  readonly checksNodes: boolean;
  /** Run on one node by SUT health: fails while the storage is repairing itself (not settled). */
  readonly storageCheck?: readonly string[];
  /** Run on one node while the storage check fails during a settle (at most once a minute). */
  readonly storageRepair?: readonly string[];
  /** Run on one node for the run's fingerprint: prints the storage software's version (first line kept). */
  readonly versionCommand?: readonly string[];
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
  /**
   * How the recovery from each fault splits into phases on this driver (lib/sut/recovery-phases.ts):
   * the pod's move off a lost node (pod-move-phases.ts) or the driver's own, where the pod stays. A
   * fault without a plan gets no phases.
   */
  readonly recoveryPhases: RecoveryPhasePlans;
  /** The driver's own timers the phases are predicted from (Gluster's network.ping-timeout). */
  readonly timings?: TimingSettings;
  /** Which nodes hold the volume's replicas, as the driver reads it (lib/sut/placement.ts). */
  readonly replicaNodes: ReadReplicaNodes;
  /**
   * For drivers whose behaviour under faults depends on the cluster's setup: reads it before the
   * run arranges Postgres, and gives the run's expectations, scheduler and stuck-pod remedy in
   * place of the static ones above (config settings still win). None for gluster: the kube lab's
   * GlusterFS is always set up the same way.
   */
  readonly detect?: DetectDriverSetup<C>;
  /**
   * What the driver provisions once per cluster before a run (drives, StorageClass). None for
   * gluster: `pxchaos kube-lab up` provisions the kube lab's storage.
   */
  clusterStorage?(config: C, settings: PostgresK8sSettings): ClusterStorage;
  /**
   * The storage's own view of its nodes and of the run's volume, fed into the timeline while the
   * SUT watches (started and stopped with its `watch`). None for gluster: its state is checked by
   * the storage check, not watched.
   */
  watchState?(config: C, context: StorageStateWatchContext): StorageStateWatch;
  /**
   * Provisions that storage on the cluster before a run arranges Postgres (and before `detect`
   * reads the StorageClass); idempotent, what is there is reused. Marks what it creates.
   */
  provisionStorage?(ctx: ClusterStorageContext<C>): Promise<void>;
  /** `pxchaos teardown`: removes what provisionStorage created, and only that. */
  teardownStorage?(ctx: ClusterStorageContext<C>): Promise<ClusterStorageTeardown>;
  /** Where no teardownStorage: what `pxchaos teardown` says instead (who owns the storage). */
  readonly noTeardown?: string;
}

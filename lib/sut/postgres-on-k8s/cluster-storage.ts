import type { KubernetesObject, V1DaemonSet, V1StorageClass } from '@kubernetes/client-node';
import type { NodeStep } from '../../faults/fault-steps.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';

export type ClusterStorageManifest = V1DaemonSet | V1StorageClass;

/**
 * What a storage driver provisions once per cluster, before the first run, and keeps across runs
 * (unlike a run's namespace and everything in it): its node-level drives and its StorageClass.
 */
export interface ClusterStorage {
  /** In apply order. */
  readonly manifests: readonly ClusterStorageManifest[];
  /**
   * The drive each node gives the storage driver (`<node>`: that node's name) and the file on the
   * node that names it, when only the node knows it.
   */
  readonly drive?: { readonly device: string; readonly recordedIn: string };
  /**
   * The provisioner its StorageClass names, when that depends on the cluster (portworx: CSI or
   * in-tree): the one chosen, or a placeholder, and the condition a run decides it on.
   */
  readonly provisioner?: {
    readonly storageClass: string;
    readonly provisioner: string;
    readonly reason: string;
  };
  /**
   * The storage system itself, when the harness installs it (portworx.install): its objects in
   * apply order, the health it waits for, and its uninstall, which runs before the teardown below.
   */
  readonly install?: {
    readonly source: string;
    readonly objects: readonly KubernetesObject[];
    readonly preflight: readonly string[];
    readonly health: string;
    readonly uninstall: readonly { readonly step: string; readonly argv?: readonly string[] }[];
  };
  /** The harness's `teardown`: objects deleted first, then node steps (as data; run by the caller). */
  readonly teardown: {
    readonly delete: readonly { readonly kind: string; readonly namespace?: string; readonly name: string }[];
    readonly steps: readonly NodeStep[];
  };
}

/** What a driver's provisioning and teardown act on: the cluster, and every node of it. `config`: what the driver reads of it. */
export interface ClusterStorageContext<C> {
  readonly config: C;
  readonly settings: PostgresK8sSettings;
  readonly client: KubeClient;
  /** Access to a Kubernetes node by name (every node, the control plane too), if the target has it. */
  readonly nodeAccess: (node: string) => NodeAccess | undefined;
  readonly progress: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** What a teardown did: one line per step, and whether any step removed anything. */
export interface ClusterStorageTeardown {
  readonly removedAnything: boolean;
}

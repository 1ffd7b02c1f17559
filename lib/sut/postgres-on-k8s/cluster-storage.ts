import type { V1DaemonSet, V1StorageClass } from '@kubernetes/client-node';
import type { NodeStep } from '../../faults/fault-steps.js';

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
  /** The harness's `teardown`: objects deleted first, then node steps (as data; run by the caller). */
  readonly teardown: {
    readonly delete: readonly { readonly kind: string; readonly namespace?: string; readonly name: string }[];
    readonly steps: readonly NodeStep[];
  };
}

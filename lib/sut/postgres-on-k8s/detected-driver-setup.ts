import type { KubeClient } from '../../k8s/kube-client.js';
import type { Expectations } from '../expectations.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import type { StorageDownRemedy } from './stuck-pod-remedy.js';

/**
 * What a storage driver reads from the cluster before a run, where its behaviour under faults
 * depends on how the cluster is set up (Portworx: Stork and the StorageClass's repl). It replaces
 * the profile's static values for that run; the config's own settings still win over it.
 */
export interface DetectedDriverSetup {
  /** The faults supported on this cluster, each with its expectation and sources. */
  readonly expectations: Expectations;
  /** When nothing storage-aware moves the pod off a NotReady node: the harness force-deletes it after this long. */
  readonly forceDeleteStuckPodAfterMs?: number;
  /** When nothing storage-aware moves the pod off a node whose storage is down: the harness deletes it. */
  readonly storageDownRemedy?: StorageDownRemedy;
  /** The scheduler the StatefulSet must name on this cluster. */
  readonly schedulerName?: string;
  /** One progress line: what was detected and where the expectations come from. */
  readonly summary: string;
}

/**
 * `settings`: the StatefulSet's settings before detection (its StorageClass, say); `config`: what
 * the driver reads of the config (its own section), its defaults where not given.
 */
export type DetectDriverSetup<C> = (
  client: KubeClient,
  settings: PostgresK8sSettings,
  signal?: AbortSignal,
  config?: C,
) => Promise<DetectedDriverSetup>;

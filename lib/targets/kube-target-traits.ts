import type { PxchaosConfig } from '../pxchaos-config.js';
import type { StorageDriver } from '../sut/postgres-on-k8s/storage-drivers.js';

/**
 * What a Kubernetes target (one running Postgres in a StatefulSet on a storage driver) declares
 * about itself, in its own file, for the registry (targets.ts) and the code shared by those targets:
 * nothing else names a target to decide these.
 */
export interface KubeTargetTraits {
  /** The storage driver when the config's `kube.sut` names none. */
  readonly defaultDriver: StorageDriver;
  /** How its nodes are reached, as `pxchaos plan` says it. */
  nodeAccess(config: PxchaosConfig): string;
  /** What `pxchaos plan` shows of that access beyond the line above (kube: the helper pod and its command wrapper). */
  nodeAccessPlan?(config: PxchaosConfig): Record<string, unknown>;
}

/** The storage driver a run, a plan or a teardown uses on such a target: `kube.sut`, else the target's default. */
export function storageDriverOf(config: PxchaosConfig, traits: KubeTargetTraits): StorageDriver {
  return config.kube.sut ?? traits.defaultDriver;
}

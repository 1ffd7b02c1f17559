import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The annotation the harness puts on every cluster object a storage driver provisions (Portworx,
 * its loop devices and StorageClass; the local driver's volumes and class). Teardown and uninstall
 * remove only what carries it: what the user made is theirs (an uninstall of their Portworx would
 * destroy their volumes).
 */
export const INSTALLED_BY = 'pxchaos.io/installed-by';
export const INSTALLED_BY_VALUE = 'pxchaos';

/** A copy of `object` with the marker added (its other annotations kept). */
export function markInstalled<T extends KubernetesObject>(object: T): T {
  const copy = structuredClone(object);
  copy.metadata = {
    ...copy.metadata,
    annotations: { ...copy.metadata?.annotations, [INSTALLED_BY]: INSTALLED_BY_VALUE },
  };
  return copy;
}

export function isInstalledByHarness(object: KubernetesObject | undefined): boolean {
  return object?.metadata?.annotations?.[INSTALLED_BY] === INSTALLED_BY_VALUE;
}

import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The annotation the harness puts on every Portworx object it applies. Uninstall removes Portworx
 * (and wipes its node files) only when the objects it finds carry it: a PX the user installed is
 * theirs, and an uninstall of it would destroy their volumes.
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

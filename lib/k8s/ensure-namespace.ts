import { isConflict } from './kube-api-error.js';
import type { KubeClient } from './kube-client.js';

/** The namespace pxchaos owns on a cluster (its run lease, its node-access helper pods): made when missing, never deleted. */
export const PXCHAOS_NAMESPACE = 'pxchaos-system';
export const MANAGED_BY_PXCHAOS = { 'app.kubernetes.io/managed-by': 'pxchaos' } as const;

/** Creates the namespace unless it exists. */
export async function ensureNamespace(client: KubeClient, namespace: string): Promise<void> {
  await client
    .call(`create namespace ${namespace}`, () =>
      client.core.createNamespace({ body: { metadata: { name: namespace, labels: MANAGED_BY_PXCHAOS } } }),
    )
    .catch((err: unknown) => {
      if (!isConflict(err)) throw err;
    });
}

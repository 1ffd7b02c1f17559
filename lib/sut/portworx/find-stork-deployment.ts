import type { V1Deployment } from '@kubernetes/client-node';
import { isNotFound } from '../../k8s/kube-api-error.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { storkContainer } from './stork-config.js';

/**
 * Where Portworx installs put Stork: a Deployment named `stork`, in kube-system for the spec
 * generator's DaemonSet install (every recorded spec, ../shared/fixtures/portworx/daemonset-*.yaml;
 * torpedo's `storkNamespace`), in the StorageCluster's namespace for the Operator (its test reads
 * `storkDeploymentName` in `cluster.Namespace`): kube-system, or `portworx` as current docs install it.
 */
export const STORK_DEPLOYMENT = 'stork';
export const STORK_NAMESPACES: readonly string[] = ['kube-system', 'portworx'];

export interface FoundStork {
  readonly deployment: V1Deployment;
  /** `namespace/name`. */
  readonly ref: string;
  /** Read where installs put it, or picked from every namespace's Deployments. */
  readonly how: 'where installs put it' | 'listed across namespaces';
}

/**
 * Stork's Deployment, or undefined when the cluster has none (no Stork: not an error, the
 * expectations then follow the px module's timeout alone). Several outside the usual places: the
 * one with ready pods, else an error naming them, since which one acts on our pod is a guess.
 */
export async function findStorkDeployment(client: KubeClient): Promise<FoundStork | undefined> {
  for (const namespace of STORK_NAMESPACES) {
    const ref = `${namespace}/${STORK_DEPLOYMENT}`;
    const deployment = await client
      .call(`read Deployment ${ref}`, () =>
        client.apps.readNamespacedDeployment({ name: STORK_DEPLOYMENT, namespace }),
      )
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    if (deployment) return { deployment, ref, how: 'where installs put it' };
  }
  // Installed elsewhere (an Operator in another namespace, a renamed Deployment): the Deployments
  // whose container is stork's.
  const found = (await listAllDeployments(client)).filter((d) => storkContainer(d) !== undefined);
  const running = found.filter((d) => (d.status?.readyReplicas ?? 0) > 0);
  const pick = found.length === 1 ? found[0] : running.length === 1 ? running[0] : undefined;
  if (pick) return { deployment: pick, ref: refOf(pick), how: 'listed across namespaces' };
  if (found.length === 0) return undefined;
  throw new Error(
    `could not tell which Stork acts on the pod: ${found.length} Deployments run a stork container (${found
      .map((d) => `${refOf(d)} ${d.status?.readyReplicas ?? 0} ready`)
      .join(', ')}) and not exactly one has ready pods`,
  );
}

const refOf = (d: V1Deployment): string => `${d.metadata?.namespace ?? '?'}/${d.metadata?.name ?? '?'}`;

/** Every Deployment in the cluster, page by page (a big cluster's list would outlast one request's deadline). */
async function listAllDeployments(client: KubeClient): Promise<V1Deployment[]> {
  const items: V1Deployment[] = [];
  let cont: string | undefined;
  do {
    const page = await client.call('list Deployments in all namespaces', () =>
      client.apps.listDeploymentForAllNamespaces({ limit: 500, ...(cont && { _continue: cont }) }),
    );
    items.push(...page.items);
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return items;
}

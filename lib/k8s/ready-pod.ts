import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';
import { isNotFound } from './kube-api-error.js';

/** Which pod: a fixed name (a StatefulSet's `pg-0`) or any pod matching a label selector. */
export type PodSelector = { readonly podName: string } | { readonly labelSelector: string };

/** Running, Ready and not being deleted: a pod that can take a connection now. */
export function isPodServing(pod: V1Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    !pod.metadata?.deletionTimestamp &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** No pod can take a connection: the reason names what was found. */
export class NoServingPodError extends Error {
  override name = 'NoServingPodError';
}

const describeSelector = (namespace: string, selector: PodSelector): string =>
  'podName' in selector
    ? `pod ${namespace}/${selector.podName}`
    : `pods ${namespace} -l ${selector.labelSelector}`;

/**
 * The pod that serves `selector` now (asked of the API server each time: after a reschedule it is
 * a new pod, possibly on another node). With a label selector and several candidates, the most
 * recently started one wins.
 */
export async function findServingPod(
  client: KubeClient,
  namespace: string,
  selector: PodSelector,
): Promise<V1Pod> {
  const what = describeSelector(namespace, selector);
  let pods: V1Pod[];
  if ('podName' in selector) {
    const pod = await client
      .call(`read ${what}`, () => client.core.readNamespacedPod({ name: selector.podName, namespace }))
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    pods = pod ? [pod] : [];
  } else {
    const list = await client.call(`list ${what}`, () =>
      client.core.listNamespacedPod({ namespace, labelSelector: selector.labelSelector }),
    );
    pods = list.items;
  }
  const serving = pods
    .filter(isPodServing)
    .sort((a, b) => (b.status?.startTime?.getTime() ?? 0) - (a.status?.startTime?.getTime() ?? 0));
  const first = serving[0];
  if (first) return first;
  const seen = pods.map(
    (p) =>
      `${p.metadata?.name ?? '?'} ${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? '?')}${isPodServing(p) ? '' : ' not Ready'}`,
  );
  throw new NoServingPodError(
    `no Running+Ready ${what}${seen.length ? ` (found: ${seen.join(', ')})` : ' (none exist)'}`,
  );
}

import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../k8s/kube-client.js';
import { PX_POD_NAMESPACES } from './px-pod-namespaces.js';
import type { PxPods } from './px-pods.js';

/** The PX pods and where they were found, said in one phrase for the progress line and the timeline. */
export interface FoundPxPods {
  /** Where they are; where they were first looked for when none were found. */
  readonly namespace: string;
  /** Every pod matching the selector there, whatever its phase. */
  readonly pods: readonly V1Pod[];
  /** `3 PX pods (name=portworx) in portworx (looked in kube-system, portworx)`. */
  readonly said: string;
}

/**
 * The PX pods: in the configured namespace only when one is given (`portworx.pxPods.namespace`),
 * else in kube-system and in portworx (px-pod-namespaces.ts), each list with the client's deadline.
 * PX pods in both is refused, naming both: which PX the run would read is a guess.
 */
export async function findPxPods(client: KubeClient, pxPods: PxPods): Promise<FoundPxPods> {
  const { labelSelector } = pxPods;
  const where =
    pxPods.namespaceGiven === false
      ? [pxPods.namespace, ...PX_POD_NAMESPACES.filter((n) => n !== pxPods.namespace)]
      : [pxPods.namespace];
  const lists = await Promise.all(
    where.map(async (namespace) => ({
      namespace,
      pods: (
        await client.call(`list PX pods (${labelSelector}) in ${namespace}`, () =>
          client.core.listNamespacedPod({ namespace, labelSelector }),
        )
      ).items,
    })),
  );
  const looked = where.length > 1 ? `looked in ${where.join(', ')}` : 'looked there only';
  const found = lists.filter((l) => l.pods.length > 0);
  if (found.length > 1)
    throw new Error(
      `PX pods (${labelSelector}) in ${found.map((l) => `${l.namespace} (${l.pods.length})`).join(' and ')}: set portworx.pxPods.namespace to the one in use`,
    );
  const [hit] = found;
  if (!hit)
    return {
      namespace: where[0]!,
      pods: [],
      said: `no PX pods (${labelSelector}) in ${where.join(' or ')} (${looked})`,
    };
  return {
    namespace: hit.namespace,
    pods: hit.pods,
    said: `${hit.pods.length} PX pod${hit.pods.length === 1 ? '' : 's'} (${labelSelector}) in ${hit.namespace} (${looked})`,
  };
}

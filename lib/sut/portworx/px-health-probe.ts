import type { V1Pod } from '@kubernetes/client-node';
import { execInPod } from '../../k8s/pod-exec.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isPodServing } from '../../k8s/ready-pod.js';
import { pxNodeHealth, type PxNodeHealth } from './px-health.js';
import type { PxPods } from './px-pods.js';
import { PXCTL } from './pxctl-path.js';
import { pxctlStdout } from './pxctl-output.js';

/** pxctl answers in well under a second when PX is up; a hung PX must not stall the poll. */
const PXCTL_TIMEOUT_MS = 20_000;

/**
 * One poll of torpedo's "PX is up" on `nodes`: the PX pods listed once (config `portworx.pxPods`),
 * then `pxctl -j status` by exec in each node's Ready PX pod. Its stdout is read whatever the exit
 * code (pxctl exits non-zero with `PX is not running on this host`, which is the answer); stderr,
 * where PX's log lines may go, is never parsed (pxctl-output.ts).
 */
export function kubePxHealthProbe(
  client: KubeClient,
  pxPods: PxPods,
  nodes: readonly string[],
): () => Promise<PxNodeHealth[]> {
  const { namespace, labelSelector, container } = pxPods;
  return async () => {
    const pods = (
      await client.call(`list pods ${namespace} -l ${labelSelector}`, () =>
        client.core.listNamespacedPod({ namespace, labelSelector }),
      )
    ).items;
    return Promise.all(
      nodes.map(async (node) => {
        const pod = pxPodOn(pods, node);
        if (!pod || !isPodServing(pod)) return pxNodeHealth(node, pod, undefined);
        const status = await execInPod(
          client,
          { namespace, pod: pod.metadata?.name ?? '', container },
          [PXCTL, '-j', 'status'],
          { timeoutMs: PXCTL_TIMEOUT_MS },
        ).then(pxctlStdout, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        return pxNodeHealth(node, pod, status);
      }),
    );
  };
}

/** The node's PX pod: a serving one if any (a rollout briefly has two). */
function pxPodOn(pods: readonly V1Pod[], node: string): V1Pod | undefined {
  const on = pods.filter((p) => p.spec?.nodeName === node);
  return on.find(isPodServing) ?? on[0];
}

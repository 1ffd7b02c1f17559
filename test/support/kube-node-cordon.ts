import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClient } from '../../lib/k8s/kube-client.js';

/** Cordons (true) or uncordons (false) a node, so a rescheduled pod has to land elsewhere. */
export function setCordoned(client: KubeClient, node: string, unschedulable: boolean): Promise<unknown> {
  return client.call(`${unschedulable ? 'cordon' : 'uncordon'} ${node}`, () =>
    client.core.patchNode(
      { name: node, body: { spec: { unschedulable } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}

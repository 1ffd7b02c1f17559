import type { KubeClient } from './kube-client.js';

/**
 * A flag of the cluster's kube-controller-manager as its static pod runs it (kubeadm clusters,
 * the kube lab): `--name=value` from the pod's command or args. undefined where the controller
 * manager is not a pod the API shows (managed clusters: EKS, AKS, GKE) or runs without the flag.
 */
export async function controllerManagerFlag(client: KubeClient, name: string): Promise<string | undefined> {
  const pods = await client.call('list kube-controller-manager pods', () =>
    client.core.listNamespacedPod({
      namespace: 'kube-system',
      labelSelector: 'component=kube-controller-manager',
    }),
  );
  for (const pod of pods.items)
    for (const c of pod.spec?.containers ?? [])
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
        const m = new RegExp(`^--${name}=(.+)$`).exec(arg);
        if (m?.[1]) return m[1];
      }
  return undefined;
}

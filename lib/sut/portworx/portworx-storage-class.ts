import type { V1StorageClass } from '@kubernetes/client-node';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../postgres-on-k8s/run-namespace.js';

export const PORTWORX_STORAGE_CLASS = 'portworx-replicated';

/**
 * The workshop's default StorageClass (portworx.md): two replicas, so a volume survives one node
 * (and Stork can place the pod on the other replica), and high-priority I/O. `storage.k8s.io/v1`:
 * the workshop's v1beta1 is gone since Kubernetes 1.22. The provisioner depends on the cluster
 * (px-provisioner.ts): the CSI driver `pxd.portworx.com`, or the workshop's in-tree
 * `kubernetes.io/portworx-volume` where Kubernetes still serves it.
 */
export function portworxStorageClass(provisioner: string): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: PORTWORX_STORAGE_CLASS,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner,
    parameters: { repl: '2', priority_io: 'high' },
  };
}

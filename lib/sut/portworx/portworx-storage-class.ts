import type { V1StorageClass } from '@kubernetes/client-node';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../postgres-on-k8s/run-namespace.js';

export const PORTWORX_STORAGE_CLASS = 'portworx-replicated';

/**
 * The in-tree provisioner, as in the workshop's StorageClass (fixture
 * daemonset-portworx-workshop-loop4-…yaml) rather than the CSI driver `pxd.portworx.com`: Portworx
 * serves it whether or not its spec installed the CSI components (the older workshop spec has none,
 * and `csi=true` is a spec-generator option), while `pxd.portworx.com` provisions nothing without
 * them. Where a cluster turns CSI migration for Portworx on, Kubernetes hands these claims to
 * `pxd.portworx.com` itself, which then has to be installed either way.
 */
export const PORTWORX_PROVISIONER = 'kubernetes.io/portworx-volume';

/**
 * The workshop's default StorageClass (portworx.md): two replicas, so a volume survives one node
 * (and Stork can place the pod on the other replica), and high-priority I/O. `storage.k8s.io/v1`:
 * the workshop's v1beta1 is gone since Kubernetes 1.22.
 */
export function portworxStorageClass(): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: PORTWORX_STORAGE_CLASS,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: PORTWORX_PROVISIONER,
    parameters: { repl: '2', priority_io: 'high' },
  };
}

import type { V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node';
import { markInstalled } from '../postgres-on-k8s/installed-by-marker.js';
import { LOCAL_DISK } from './local-node-commands.js';

/** The StorageClass of the local driver's volumes: static, bound where the pod is scheduled. */
export const LOCAL_STORAGE_CLASS = 'pxchaos-local';
/** Every PersistentVolume the driver made carries it (value: the node). */
export const LOCAL_VOLUME_LABEL = 'pxchaos.io/local-volume';

/** Marked (installed-by-marker.ts): teardown removes only a class the driver made. */
export function localStorageClass(): V1StorageClass {
  return markInstalled({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_STORAGE_CLASS },
    provisioner: 'kubernetes.io/no-provisioner',
    // Bound once the pod is scheduled: the scheduler picks a node that has an Available volume.
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy: 'Retain',
  });
}

export const localVolumeName = (node: string): string => `pxchaos-local-${node}`;

/** One volume per node, on its loop-backed disk (LOCAL_DISK), pinned to that node. */
export function localVolume(node: string, capacity: string): V1PersistentVolume {
  return markInstalled({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: localVolumeName(node),
      labels: { [LOCAL_VOLUME_LABEL]: node },
    },
    spec: {
      capacity: { storage: capacity },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: LOCAL_STORAGE_CLASS,
      local: { path: LOCAL_DISK.volume },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
          ],
        },
      },
    },
  });
}

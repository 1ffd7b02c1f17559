import type { PortworxSettings } from '../../config/config-schema.js';
import type { ClusterStorage } from '../postgres-on-k8s/cluster-storage.js';
import { EVERY_NODE, loopDeviceDrives } from './loop-device-daemonset.js';
import { PORTWORX_STORAGE_CLASS, portworxStorageClass } from './portworx-storage-class.js';

/**
 * Portworx's cluster-level storage as the workshop sets it up: a loop-device drive on every node,
 * and the `portworx-replicated` StorageClass. The StorageClass only when the StatefulSet uses it:
 * a class named in `kube.storageClass` is the user's own, and creating another default class next
 * to it would change which class their other claims get.
 */
export function portworxClusterStorage(settings: PortworxSettings, storageClass: string): ClusterStorage {
  const drives = loopDeviceDrives(settings.loopDevices);
  const ds = drives.teardown.daemonSet;
  const ownClass = storageClass === PORTWORX_STORAGE_CLASS;
  return {
    manifests: [drives.daemonSet, ...(ownClass ? [portworxStorageClass()] : [])],
    drive: { device: drives.pxDevice, recordedIn: drives.pxDeviceRecord },
    teardown: {
      delete: [
        { kind: 'DaemonSet', namespace: ds.namespace, name: ds.name },
        ...(ownClass ? [{ kind: 'StorageClass', name: PORTWORX_STORAGE_CLASS }] : []),
      ],
      steps: [
        {
          on: EVERY_NODE,
          purpose:
            'after Portworx is uninstalled: remove the dm device (if any), detach the loop device, delete the backing file',
          argv: drives.teardown.nodeArgv,
        },
      ],
    },
  };
}

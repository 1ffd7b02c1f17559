import type { PortworxSettings } from './portworx-config.js';
import type { ClusterStorage } from '../postgres-on-k8s/cluster-storage.js';
import { EVERY_NODE, loopDeviceDrives, NODE_PLACEHOLDER } from './loop-device-daemonset.js';
import { pxInstallObjects } from './px-install-objects.js';
import { PX_MIN_NODES, PX_PORTS, ONE_KERNEL_STATEMENT } from './px-preflight.js';
import { plannedPxProvisioner } from './px-provisioner.js';
import { PX_GONE_TIMEOUT_MS, pxUninstallSteps } from './px-uninstall.js';
import { PORTWORX_STORAGE_CLASS, portworxStorageClass } from './portworx-storage-class.js';

/**
 * Portworx's cluster-level storage as the workshop sets it up: a loop-device drive on every node
 * (when `portworx.loopDevices.enabled`), and the `portworx-replicated` StorageClass. The StorageClass only when the StatefulSet uses it:
 * a class named in `kube.storageClass` is the user's own, and creating another default class next
 * to it would change which class their other claims get. Portworx itself only when
 * `portworx.install.enabled` (installed after the drives, uninstalled before their teardown).
 */
export function portworxClusterStorage(settings: PortworxSettings, storageClass: string): ClusterStorage {
  const drives = settings.loopDevices.enabled ? loopDeviceDrives(settings.loopDevices) : undefined;
  const ds = drives?.teardown.daemonSet;
  const ownClass = storageClass === PORTWORX_STORAGE_CLASS;
  const install = settings.install.enabled ? pxInstallObjects(settings, [NODE_PLACEHOLDER]) : undefined;
  const provisioner = plannedPxProvisioner(settings.provisioner, install?.objects ?? []);
  return {
    manifests: [
      ...(drives ? [drives.daemonSet] : []),
      ...(ownClass ? [portworxStorageClass(provisioner.provisioner)] : []),
    ],
    ...(drives && { drive: { device: drives.pxDevice, recordedIn: drives.pxDeviceRecord } }),
    ...(ownClass && { provisioner: { storageClass: PORTWORX_STORAGE_CLASS, ...provisioner } }),
    ...(install && {
      install: {
        source: install.source,
        objects: install.objects,
        preflight: [
          `at least ${PX_MIN_NODES} schedulable Ready nodes (not labelled px/enabled=false)`,
          `ports ${PX_PORTS.first}-${PX_PORTS.last} free on each node (ss -Htln)`,
          'loop support on each node (test -e /dev/loop-control, else modprobe -n loop)',
          `no two nodes with the same status.nodeInfo.bootID and kernelVersion (${ONE_KERNEL_STATEMENT}; kind's nodes share one)`,
        ],
        health:
          "torpedo's PX is up on every node: PX pod (-l name=portworx) Ready and `/opt/pwx/bin/pxctl -j status` STATUS_OK; polled every 10s within portworx.install.healthTimeout",
        uninstall: pxUninstallSteps(install.objects, PX_GONE_TIMEOUT_MS),
      },
    }),
    teardown: {
      delete: [
        ...(ds ? [{ kind: 'DaemonSet', namespace: ds.namespace, name: ds.name }] : []),
        ...(ownClass ? [{ kind: 'StorageClass', name: PORTWORX_STORAGE_CLASS }] : []),
      ],
      steps: drives
        ? [
            {
              on: EVERY_NODE,
              purpose:
                'after Portworx is uninstalled: remove the dm device (if any), detach the loop device, delete the backing file',
              argv: drives.teardown.nodeArgv,
            },
          ]
        : [],
    },
  };
}

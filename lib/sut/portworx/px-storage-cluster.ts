import type { KubernetesObject } from '@kubernetes/client-node';
import type { PxInstallSettings } from './portworx-config.js';
import type { LoopDeviceSettings } from './loop-device-settings.js';
import { pxDmName } from './loop-device-script.js';

/**
 * The Operator's CRD (libopenstorage/operator `deploy/crds/core_v1_storagecluster_crd.yaml`; excerpt
 * in test/fixtures/portworx-operator/) serves only `v1`: `v1alpha1` is `served: false` since
 * operator 1.6.0, so an apply of it is refused. Kubernetes has no schema of its own for it.
 */
export const STORAGE_CLUSTER_API_VERSION = 'core.libopenstorage.org/v1';

/** The fields of the v1 CRD's `spec` pxchaos renders (the CRD's names and types). */
export interface StorageClusterSpec {
  image?: string;
  kvdb: { internal: true };
  storage: { devices: string[] };
  nodes: { selector: { nodeName: string }; storage: { devices: string[] } }[];
  csi: { enabled: true };
}

export type StorageCluster = KubernetesObject & { spec: StorageClusterSpec };

/**
 * An Operator `StorageCluster` for PX on the loop-device layer (portworx.md "Install with loop
 * devices"; fixtures storagecluster-internal-kvdb-… and storagecluster-explicit-devices-node-overrides-…):
 * the embedded KVDB (`kvdb.internal: true`, the workshop's `-b`), and as each node's drive the dm
 * device the loop-device DaemonSet made there. Those names differ per node (`pxchaos-px-<node>`), so
 * each node gets its own `nodes[]` entry, selected by `selector.nodeName` (the CRD: "Name of the
 * Kubernetes node that is to be selected"; the Operator compares it with the Node's name, which is
 * what the dm device is named after, where a `kubernetes.io/hostname` label may differ); the
 * cluster-wide `storage.devices` stays empty so a node without an entry gets no drive rather than a
 * wrong one. Without the dm layer the loop device is chosen on the node at attach time (losetup -f),
 * and no spec rendered beforehand can name it: refused. `csi.enabled: true` (in the CRD from
 * operator 1.8): the Operator then runs Portworx's CSI driver and creates its CSIDriver
 * `pxd.portworx.com`, without which no Portworx claim binds from Kubernetes 1.31 on
 * (px-provisioner.ts). Recent Operators enable it by default for a new cluster; older ones do not.
 */
export function renderStorageCluster(
  install: PxInstallSettings,
  loopDevices: LoopDeviceSettings,
  nodes: readonly string[],
): StorageCluster {
  if (!loopDevices.deviceMapper)
    throw new Error(
      'a StorageCluster can name each node’s drive only with portworx.loopDevices.deviceMapper: true (the loop device itself is chosen on the node); set it, or give portworx.install.specFile',
    );
  if (nodes.length === 0) throw new Error('a StorageCluster needs at least one node for its drives');
  return {
    apiVersion: STORAGE_CLUSTER_API_VERSION,
    kind: 'StorageCluster',
    metadata: { name: install.clusterName, namespace: install.namespace },
    spec: {
      ...(install.image !== undefined && { image: install.image }),
      kvdb: { internal: true },
      storage: { devices: [] },
      nodes: nodes.map((node) => ({
        selector: { nodeName: node },
        storage: { devices: [`/dev/mapper/${pxDmName(node)}`] },
      })),
      csi: { enabled: true },
    },
  };
}

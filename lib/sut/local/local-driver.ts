import {
  TARGET_IMAGE_PLACEHOLDER,
  type NoDriverConfig,
  type StorageDriverProfile,
} from '../postgres-on-k8s/storage-driver-profile.js';
import { LOCAL_EXPECTATIONS } from './local-expectations.js';
import { LOCAL_AGENT, LOCAL_DISK_REMOVE, LOCAL_DRIVE } from './local-node-commands.js';
import { provisionLocalStorage, teardownLocalStorage } from './local-provision.js';
import { LOCAL_STORAGE_CLASS, localStorageClass } from './local-storage-objects.js';
import { localVolumeNode } from './local-volume-node.js';

/**
 * Node-local volumes, no replication: one PersistentVolume per worker on a loop-backed disk the
 * driver makes there. The contrast to the replicated drivers — what a fault does when the data
 * lives on one node only (docs/local-driver.md).
 */
export const LOCAL_DRIVER = {
  name: 'local',
  storageClass: LOCAL_STORAGE_CLASS,
  // The kube lab's image, only in the nodes' containerd; elsewhere kube.image names one.
  image: { ref: TARGET_IMAGE_PLACEHOLDER, pullPolicy: 'Never' },
  agent: () => LOCAL_AGENT,
  drive: () => LOCAL_DRIVE,
  partitionProbePort: 10250, // the kubelet, on every node
  checksNodes: true,
  // Never force-deleted: the pod could only come back on the same node, which is the one that is gone.
  expectations: LOCAL_EXPECTATIONS,
  placedExpectations: {},
  // The pod cannot leave its node: service comes back with the node, after the heal; not split yet.
  recoveryPhases: {},
  replicaNodes: localVolumeNode,
  clusterStorage: () => ({
    manifests: [localStorageClass()],
    teardown: {
      delete: [{ kind: 'StorageClass', name: LOCAL_STORAGE_CLASS }],
      // The disks and volumes are made per node by provisionStorage (LOCAL_DISK_ATTACH), one volume per worker.
      steps: [
        { on: '<every worker>', purpose: 'unmount and remove the loop-backed disk', argv: LOCAL_DISK_REMOVE },
      ],
    },
  }),
  provisionStorage: (ctx) => provisionLocalStorage(ctx),
  teardownStorage: (ctx) => teardownLocalStorage(ctx),
} satisfies StorageDriverProfile<'local', NoDriverConfig>;

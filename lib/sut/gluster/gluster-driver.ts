import { GLUSTER_RECOVERY_PHASES, glusterTimings } from './gluster-phases.js';
import { GLUSTER_EXPECTATIONS, GLUSTER_PLACED_EXPECTATIONS } from './gluster-expectations.js';
import {
  GLUSTER_AGENT,
  GLUSTER_DRIVE,
  GLUSTER_HEAL_PENDING,
  GLUSTER_LAUNCH_HEAL,
} from './gluster-node-commands.js';
import { glusterBrickNodes } from './gluster-brick-nodes.js';
import { GLUSTER_STORAGE_CLASS } from './gluster-storage-class.js';
import {
  TARGET_IMAGE_PLACEHOLDER,
  type StorageDriverProfile,
} from '../postgres-on-k8s/storage-driver-profile.js';

/** GlusterFS replica 3 as the kube lab provisions it (`pxchaos kube-lab up`): the Postgres volume's storage. */
export const GLUSTER_DRIVER = {
  name: 'gluster',
  storageClass: GLUSTER_STORAGE_CLASS,
  // Only in the nodes' containerd (the kube lab has no registry).
  image: { ref: TARGET_IMAGE_PLACEHOLDER, pullPolicy: 'Never' },
  agent: () => GLUSTER_AGENT,
  drive: () => GLUSTER_DRIVE,
  partitionProbePort: 24007, // glusterd, on every worker
  checksNodes: true,
  storageCheck: GLUSTER_HEAL_PENDING,
  storageRepair: GLUSTER_LAUNCH_HEAL,
  versionCommand: ['gluster', '--version'],
  forceDeleteStuckPodAfterMs: 30_000,
  expectations: GLUSTER_EXPECTATIONS,
  placedExpectations: GLUSTER_PLACED_EXPECTATIONS,
  recoveryPhases: GLUSTER_RECOVERY_PHASES,
  timings: glusterTimings(),
  replicaNodes: glusterBrickNodes,
  noTeardown:
    'nothing to tear down for gluster: the kube lab provisions its GlusterFS, and pxchaos kube-lab down removes it',
} satisfies StorageDriverProfile<'gluster'>;

import type { KubeSettings, PxchaosConfig, StorageDriver, Target } from '../../config/config-schema.js';
import { GLUSTER_DRIVER } from '../gluster/gluster-driver.js';
import { PORTWORX_DRIVER } from '../portworx/portworx-driver.js';
import type { SutFaultCommands } from '../sut.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import { TARGET_IMAGE_PLACEHOLDER, type StorageDriverProfile } from './storage-driver-profile.js';

export { TARGET_IMAGE_PLACEHOLDER, type StorageDriverProfile } from './storage-driver-profile.js';

/** The storage drivers under the Postgres StatefulSet, one line each: a driver is its folder's profile. */
export const STORAGE_DRIVER_PROFILES: Readonly<Record<StorageDriver, StorageDriverProfile>> = {
  gluster: GLUSTER_DRIVER,
  portworx: PORTWORX_DRIVER,
};

/**
 * The driver's side of its faults with the config's settings: a run's Sut, `pxchaos inject`'s fault
 * surface and `pxchaos plan` all take them from here, so one driver verifies a partition on one port.
 */
export function driverFaultCommands(driver: StorageDriver, config: PxchaosConfig): SutFaultCommands {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  return {
    agentCommands: (node) => profile.agent(node, config),
    driveCommands: (node) => profile.drive(node, config),
    partitionProbePort: profile.partitionProbePort,
  };
}

/** kind runs on the kube lab here (GlusterFS; Portworx on kind is unsupported), vm on users' Portworx. */
export function defaultStorageDriver(target: Exclude<Target, 'lab'>): StorageDriver {
  return target === 'kind' ? 'gluster' : 'portworx';
}

/**
 * The config's `kube` section completed with the driver's defaults. `targetImage`: the Postgres image
 * the target built (the kube lab's `KubeImages.postgres`), in place of the placeholder when the config names none.
 */
export function postgresK8sSettings(
  kube: KubeSettings,
  driver: StorageDriver,
  targetImage?: string,
): PostgresK8sSettings {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  const schedulerName = kube.schedulerName ?? profile.schedulerName;
  const { cpuRequest, memoryRequest, cpuLimit, memoryLimit } = kube.resources;
  const defaultImage =
    profile.image.ref === TARGET_IMAGE_PLACEHOLDER && targetImage ? targetImage : profile.image.ref;
  return {
    namespacePrefix: kube.namespacePrefix,
    image: kube.image ?? defaultImage,
    imagePullPolicy: kube.imagePullPolicy ?? (kube.image ? 'IfNotPresent' : profile.image.pullPolicy),
    storageClass: kube.storageClass ?? profile.storageClass,
    storageSize: kube.storageSize,
    ...(schedulerName !== undefined && { schedulerName }),
    tolerationMs: kube.tolerationMs,
    resources: {
      requests: { cpu: cpuRequest, memory: memoryRequest },
      limits: { ...(cpuLimit !== undefined && { cpu: cpuLimit }), memory: memoryLimit },
    },
    ...(kube.nodeSelector && { nodeSelector: kube.nodeSelector }),
    ...(kube.nodePort !== undefined && { nodePort: kube.nodePort }),
  };
}

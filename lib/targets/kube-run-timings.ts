import type { TimingSettings } from '../sut/recovery-phases.js';
import type { StorageDriverProfile } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { DriverSetupForRun } from './driver-setup-for-run.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/**
 * The timers a Kubernetes run knows it runs with, for the recovery's predicted phases: the
 * StatefulSet's tolerationSeconds, the harness's force delete of a pod on a NotReady node and its
 * storage-down remedy (each from the config, or the driver's default or detection), and the
 * driver's own (Gluster's ping-timeout). The cluster's own (the controller manager's
 * node-monitor-grace-period, Stork's flags) are not read here.
 */
export function kubeRunTimings(
  config: PxchaosConfig,
  profile: StorageDriverProfile<string, PxchaosConfig>,
  setup: DriverSetupForRun,
): TimingSettings {
  const forceDelete = setup.forceDeleteStuckPodAfterMs;
  const configured = config.kube.forceDeleteStuckPodAfterMs !== undefined;
  return {
    ...profile.timings,
    tolerationSeconds: {
      ms: setup.settings.tolerationMs,
      source: "kube.tolerationSeconds, the StatefulSet's not-ready and unreachable tolerations",
    },
    ...(forceDelete !== undefined && {
      forceDeleteStuckPodAfter: {
        ms: forceDelete,
        source: configured
          ? 'kube.forceDeleteStuckPodAfter, configured'
          : `the ${profile.name} driver's default for this cluster (kube.forceDeleteStuckPodAfter unset)`,
      },
    }),
    ...(setup.storageDownRemedy && {
      deletePodAfterStorageDown: {
        ms: setup.storageDownRemedy.afterMs,
        source: `the ${profile.name} driver's storage-down remedy for this cluster`,
      },
    }),
  };
}

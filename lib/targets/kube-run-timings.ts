import { controllerManagerFlag } from '../k8s/controller-manager-flags.js';
import type { KubeClient } from '../k8s/kube-client.js';
import { goDurationMs } from '../time/go-duration.js';
import type { TimingSettings } from '../sut/recovery-phases.js';
import type { StorageDriverProfile } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { DriverSetupForRun } from './driver-setup-for-run.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/**
 * The timers a Kubernetes run knows it runs with, for the recovery's predicted phases: the
 * StatefulSet's tolerationSeconds, the harness's force delete of a pod on a NotReady node and its
 * storage-down remedy (each from the config, or the driver's default or detection), and the
 * driver's own (Gluster's ping-timeout). The cluster's own are read by clusterTimings (Stork's
 * flags are not read yet).
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

/** Kubernetes' default node-monitor-grace-period (1.20 and later releases alike). */
const DEFAULT_GRACE_MS = 40_000;

/**
 * The cluster's own timers: the controller manager's node-monitor-grace-period, from its static
 * pod's flags where the API shows them (kubeadm, the kube lab), else Kubernetes' default, saying so.
 */
export async function clusterTimings(client: KubeClient): Promise<TimingSettings> {
  const fallback = (why: string) => ({
    nodeMonitorGracePeriod: { ms: DEFAULT_GRACE_MS, source: `Kubernetes' default: ${why}` },
  });
  try {
    const flag = await controllerManagerFlag(client, 'node-monitor-grace-period');
    if (flag === undefined)
      return fallback('the controller manager runs without the flag, or is not a pod in kube-system');
    return {
      nodeMonitorGracePeriod: {
        ms: goDurationMs(flag),
        source: "the controller manager's --node-monitor-grace-period",
      },
    };
  } catch (err) {
    return fallback(`its flags could not be read (${(err as Error).message.split('\n')[0] ?? ''})`);
  }
}

import { applyPlacedThresholds, applyThresholds } from '../sut/apply-thresholds.js';
import type { KubeClient } from '../k8s/kube-client.js';
import type { Expectations, PlacedExpectations } from '../sut/expectations.js';
import type { PostgresK8sSettings } from '../sut/postgres-on-k8s/postgres-k8s-settings.js';
import type { StorageDriverProfile } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { StorageDownRemedy } from '../sut/postgres-on-k8s/stuck-pod-remedy.js';
import { formatDuration } from '../time/duration.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/** What a run arranges and expects on this cluster with this driver. */
export interface DriverSetupForRun {
  readonly settings: PostgresK8sSettings;
  /** With the config's per-scenario hold and thresholds applied. */
  readonly expectations: Expectations;
  /** The same for faults placed off the pod's node. */
  readonly placedExpectations: PlacedExpectations;
  readonly forceDeleteStuckPodAfterMs?: number;
  readonly storageDownRemedy?: StorageDownRemedy;
}

/**
 * The driver's setup for one run: what its profile detects on the cluster (when it detects; one
 * progress line says what), else its static values. The config's own settings always win:
 * `kube.schedulerName`, `kube.forceDeleteStuckPodAfter`, and each scenario's hold and thresholds.
 */
export async function driverSetupForRun(
  config: PxchaosConfig,
  profile: StorageDriverProfile<string, PxchaosConfig>,
  settings: PostgresK8sSettings,
  client: KubeClient,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<DriverSetupForRun> {
  const configured = config.kube;
  if (!profile.detect) {
    const forceDelete = configured.forceDeleteStuckPodAfterMs ?? profile.forceDeleteStuckPodAfterMs;
    return {
      settings,
      expectations: applyThresholds(profile.expectations, config),
      placedExpectations: applyPlacedThresholds(profile.placedExpectations, config),
      ...(forceDelete !== undefined && { forceDeleteStuckPodAfterMs: forceDelete }),
    };
  }
  const detected = await profile.detect(client, settings, signal, config);
  const wins: string[] = [];
  if (configured.schedulerName !== undefined && configured.schedulerName !== detected.schedulerName)
    wins.push(`kube.schedulerName ${configured.schedulerName}`);
  if (
    configured.forceDeleteStuckPodAfterMs !== undefined &&
    configured.forceDeleteStuckPodAfterMs !== detected.forceDeleteStuckPodAfterMs
  )
    wins.push(`kube.forceDeleteStuckPodAfter ${formatDuration(configured.forceDeleteStuckPodAfterMs)}`);
  progress(`${detected.summary}${wins.length > 0 ? ` (configured, so kept: ${wins.join(', ')})` : ''}`);
  const schedulerName = configured.schedulerName ?? detected.schedulerName ?? settings.schedulerName;
  // Undefined where the detected setup needs no harness delete (Stork moves the pod): the profile's
  // static value does not come back then.
  const forceDelete = configured.forceDeleteStuckPodAfterMs ?? detected.forceDeleteStuckPodAfterMs;
  return {
    settings: { ...settings, ...(schedulerName !== undefined && { schedulerName }) },
    expectations: applyThresholds(detected.expectations, config),
    placedExpectations: applyPlacedThresholds(profile.placedExpectations, config),
    ...(forceDelete !== undefined && { forceDeleteStuckPodAfterMs: forceDelete }),
    ...(detected.storageDownRemedy && { storageDownRemedy: detected.storageDownRemedy }),
  };
}

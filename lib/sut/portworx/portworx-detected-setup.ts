import type { KubeClient } from '../../k8s/kube-client.js';
import { formatDuration } from '../../time/duration.js';
import type { Expectation, Expectations, FaultKind } from '../expectations.js';
import type { DetectedDriverSetup } from '../postgres-on-k8s/detected-driver-setup.js';
import type { PostgresK8sSettings } from '../postgres-on-k8s/postgres-k8s-settings.js';
import { describePortworxDetection, detectPortworx, type PortworxDetection } from './detect-portworx.js';
import {
  portworxExpectations,
  portworxRecovery,
  portworxUnsupportedFaults,
  type PortworxRecovery,
} from './portworx-expectations.js';

/**
 * The portworx profile's detection: Stork and the StorageClass's repl read from the cluster, and
 * the expectations, scheduler and stuck-pod remedy that follow from them (portworx-expectations.ts).
 */
export async function detectPortworxSetup(
  client: KubeClient,
  settings: PostgresK8sSettings,
  signal?: AbortSignal,
): Promise<DetectedDriverSetup> {
  return portworxSetup(await detectPortworx(client, settings.storageClass, signal));
}

/**
 * The faults portworxExpectations covers that a run cannot carry out yet, and why. Left out rather
 * than run: the scenario then stops before injecting, saying the fault is not supported yet, where
 * running it would fail for the harness's reason and read as Portworx's.
 */
export function portworxNotRunnableYet(recovery: PortworxRecovery): Partial<Record<FaultKind, string>> {
  return {
    ...(recovery.deletePodAfterAgentDownMs !== undefined && {
      'agent-down-past-grace': `nothing storage-aware moves the pod, and the harness's delete ${formatDuration(recovery.deletePodAfterAgentDownMs)} after PX stops is not in the run path yet: the stuck-pod remedy acts on NotReady nodes, and a node whose PX is down stays Ready`,
    }),
  };
}

/** The setup for what was detected; apart from detectPortworxSetup so it is tested without a cluster. */
export function portworxSetup(detection: PortworxDetection): DetectedDriverSetup {
  const recovery = portworxRecovery(detection.detected);
  const notYet = portworxNotRunnableYet(recovery);
  const expectations: Partial<Record<FaultKind, Expectation>> = {
    ...portworxExpectations(detection.detected),
  };
  for (const kind of Object.keys(notYet) as FaultKind[]) delete expectations[kind];
  const moved =
    recovery.movedBy === 'stork'
      ? 'Stork moves the pod off a failed node'
      : `the harness moves the pod (force delete after ${formatDuration(recovery.forceDeleteStuckPodAfterMs ?? 0)} NotReady)`;
  return {
    expectations,
    schedulerName: recovery.schedulerName,
    ...(recovery.forceDeleteStuckPodAfterMs !== undefined && {
      forceDeleteStuckPodAfterMs: recovery.forceDeleteStuckPodAfterMs,
    }),
    summary: `portworx: ${describePortworxDetection(detection)} → ${moved}, scheduler ${recovery.schedulerName}; expectations from portworx.md with these values (each figure's source in the report): ${figures(expectations, detection, notYet)}`,
  };
}

/** `kind hold H, recovery ≤ R` per fault run, then the faults left out and why. */
function figures(
  expectations: Expectations,
  detection: PortworxDetection,
  notYet: Partial<Record<FaultKind, string>>,
): string {
  const out = Object.entries(expectations).map(
    ([kind, e]) =>
      `${kind} hold ${formatDuration(e.holdMs)}, recovery ≤ ${formatDuration(e.recoveryWithinMs)}`,
  );
  const unsupported = Object.keys(portworxUnsupportedFaults(detection.detected));
  if (unsupported.length > 0)
    out.push(
      `not run: ${unsupported.join(', ')} (repl ${detection.detected.replicationFactor}: the only replica is on the faulted node)`,
    );
  const later = Object.entries(notYet).filter(([kind]) => !unsupported.includes(kind));
  if (later.length > 0) out.push(`not run yet: ${later.map(([kind, why]) => `${kind} (${why})`).join('; ')}`);
  return out.join('; ');
}

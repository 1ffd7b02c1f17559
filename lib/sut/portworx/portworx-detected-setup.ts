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
} from './portworx-expectations.js';
import { readPxdTimeout } from './pxd-timeout.js';
import { defaultPortworxSettings, type PortworxConfig } from './portworx-config.js';

/**
 * The portworx profile's detection: Stork and the StorageClass's repl read from the cluster,
 * pxd_timeout read in a PX pod (the documented default where it cannot be, said so), and the
 * expectations, scheduler and remedies that follow from them (portworx-expectations.ts).
 */
export async function detectPortworxSetup(
  client: KubeClient,
  settings: PostgresK8sSettings,
  signal?: AbortSignal,
  config?: PortworxConfig,
): Promise<DetectedDriverSetup> {
  const detection = await detectPortworx(client, settings.storageClass, signal);
  const pxd = await readPxdTimeout(client, (config?.portworx ?? defaultPortworxSettings()).pxPods, signal);
  return portworxSetup({
    ...detection,
    detected: {
      ...detection.detected,
      ...(pxd.seconds !== undefined && { pxdTimeoutS: pxd.seconds }),
      pxdTimeoutSaid: pxd.said,
    },
  });
}

/** The PX state poller's events (px-state-snapshot.ts) meaning PX is down on a node, and back. */
export const PX_DOWN_EVENTS = ['px-node-offline'] as const;
export const PX_UP_EVENTS = ['px-node-online', 'px-node-storage-down', 'px-node-maintenance'] as const;

/** The setup for what was detected; apart from detectPortworxSetup so it is tested without a cluster. */
export function portworxSetup(detection: PortworxDetection): DetectedDriverSetup {
  const recovery = portworxRecovery(detection.detected);
  const expectations: Partial<Record<FaultKind, Expectation>> = {
    ...portworxExpectations(detection.detected),
  };
  const moved =
    recovery.movedBy === 'stork'
      ? 'Stork moves the pod off a failed node'
      : `the harness moves the pod (force delete after ${formatDuration(recovery.forceDeleteStuckPodAfterMs ?? 0)} NotReady${
          recovery.deletePodAfterAgentDownMs !== undefined
            ? `, delete ${formatDuration(recovery.deletePodAfterAgentDownMs)} after PX is seen offline`
            : ''
        })`;
  return {
    expectations,
    schedulerName: recovery.schedulerName,
    ...(recovery.forceDeleteStuckPodAfterMs !== undefined && {
      forceDeleteStuckPodAfterMs: recovery.forceDeleteStuckPodAfterMs,
    }),
    ...(recovery.deletePodAfterAgentDownMs !== undefined && {
      storageDownRemedy: {
        downEvents: PX_DOWN_EVENTS,
        upEvents: PX_UP_EVENTS,
        afterMs: recovery.deletePodAfterAgentDownMs,
        why: `PX down on the node and nothing storage-aware moves the pod: the px module fails its I/O after pxd_timeout and Postgres crash-loops until the pod is deleted (portworx.md "Agent down": "delete the pod"); ${recovery.source}`,
      },
    }),
    summary: `portworx: ${describePortworxDetection(detection)} → ${moved}, scheduler ${recovery.schedulerName}; expectations from portworx.md with these values (each figure's source in the report): ${figures(expectations, detection)}`,
  };
}

/** `kind hold H, recovery ≤ R` per fault run, then the faults left out and why. */
function figures(expectations: Expectations, detection: PortworxDetection): string {
  const out = Object.entries(expectations).map(
    ([kind, e]) =>
      `${kind} hold ${formatDuration(e.holdMs)}, recovery ≤ ${formatDuration(e.recoveryWithinMs)}`,
  );
  const unsupported = Object.entries(portworxUnsupportedFaults(detection.detected));
  const repl = `repl ${detection.detected.replicationFactor}`;
  const byRepl = unsupported.filter(([, why]) => why.startsWith(`${repl} `)).map(([kind]) => kind);
  if (byRepl.length > 0)
    out.push(`not run: ${byRepl.join(', ')} (${repl}: the only replica is on the faulted node)`);
  for (const [kind, why] of unsupported) if (!byRepl.includes(kind)) out.push(`not run: ${kind} (${why})`);
  return out.join('; ');
}

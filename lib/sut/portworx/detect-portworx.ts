import type { KubeClient } from '../../k8s/kube-client.js';
import {
  findStorkDeployment,
  STORK_DEPLOYMENT,
  STORK_NAMESPACES,
  type FoundStork,
} from './find-stork-deployment.js';
import { PXD_TIMEOUT_DEFAULT_S, type PortworxDetected } from './portworx-expectations.js';
import { readStorageClassRepl, type StorageClassRepl } from './storage-class-repl.js';
import { formatStorkVersion, readStorkConfig, storkContainer, type StorkConfig } from './stork-config.js';
import { storkHealthMonitor } from './stork-timings.js';

/** What the cluster says about its Portworx setup, and where each value was read (for the progress line). */
export interface PortworxDetection {
  readonly detected: PortworxDetected;
  /** Stork's Deployment; undefined when the cluster has none. */
  readonly stork?: FoundStork;
  readonly storageClass: StorageClassRepl;
}

/**
 * Reads, through the API server only, what portworxExpectations needs: Stork (present, version,
 * health monitor and its interval, from its Deployment's spec) and the StorageClass's replication
 * factor. No Stork is a finding (NO_STORK), a missing StorageClass an error naming it.
 * `pxdTimeoutS` is read apart, by exec in a PX pod (pxd-timeout.ts, detectPortworxSetup); left
 * undefined here, the expectations use the documented 600 s and their sources say "the default".
 */
export async function detectPortworx(
  client: KubeClient,
  storageClass: string,
  signal?: AbortSignal,
): Promise<PortworxDetection> {
  const c = signal ? client.with({ signal }) : client;
  const stork = await findStorkDeployment(c);
  const repl = await readStorageClassRepl(c, storageClass);
  return {
    detected: {
      stork: readStorkConfig(stork?.deployment),
      replicationFactor: repl.replicationFactor,
    },
    ...(stork && { stork }),
    storageClass: repl,
  };
}

/** One line: what was found and where. */
export function describePortworxDetection(d: PortworxDetection): string {
  const { stork } = d.detected;
  const sc = d.storageClass;
  const storkSaid = !d.stork
    ? `no Stork (no Deployment ${STORK_DEPLOYMENT} in ${STORK_NAMESPACES.join(' or ')}, none with a stork container elsewhere)`
    : `Stork ${formatStorkVersion(stork.version)} at ${d.stork.ref} (${storkImage(d.stork)}, ${readiness(d.stork)}; ${d.stork.how}), health monitor ${monitorSaid(stork)}`;
  const pxd =
    d.detected.pxdTimeoutSaid ??
    (d.detected.pxdTimeoutS === undefined
      ? `pxd_timeout not read: the default ${PXD_TIMEOUT_DEFAULT_S} s assumed`
      : `pxd_timeout ${d.detected.pxdTimeoutS} s`);
  return `${storkSaid}; StorageClass ${sc.name} (${sc.provisioner}) ${sc.said} → repl ${sc.replicationFactor}; ${pxd}`;
}

function monitorSaid(stork: StorkConfig): string {
  const monitor = storkHealthMonitor(stork);
  if (monitor.deletes) return `on every ${monitor.intervalS} s`;
  if (!stork.healthMonitor) return 'off';
  return `on, but --health-monitor-interval=${stork.healthMonitorIntervalS} is below Stork's 30 s minimum: Stork exits at start-up`;
}

function storkImage(found: FoundStork): string {
  return storkContainer(found.deployment)?.image ?? 'no image';
}

/** Ready pods of the Deployment: the spec is what is read, but a Stork with none ready acts on nothing. */
function readiness(found: FoundStork): string {
  const want = found.deployment.spec?.replicas ?? 1;
  const ready = found.deployment.status?.readyReplicas ?? 0;
  return `${ready}/${want} ready${want > 0 && ready === 0 ? ': not running' : ''}`;
}

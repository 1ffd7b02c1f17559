import type { KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { objectLabel } from '../../k8s/apply-objects.js';
import { formatDuration } from '../../time/duration.js';

/**
 * Uninstalling a Portworx the Operator runs, the Operator's way (libopenstorage/operator @ 303cc373):
 * set `spec.deleteStrategy.type` on the StorageCluster, then delete it. With a delete strategy the
 * Operator's finalizer `operator.libopenstorage.org/delete` holds the object while
 * `DeleteStorage` (drivers/storage/portworx/portworx.go) runs the `px-node-wiper` DaemonSet on
 * every node: `Uninstall` removes the PX service, `UninstallAndWipe` also wipes its drives and
 * metadata (the CRD: "completely uninstalled as well as the storage devices and metadata are wiped
 * for reuse. This may result in data loss"). Meanwhile `status.phase` is `Uninstalling` and a
 * condition of `type: Delete` says `InProgress` (with "Wipe operation still in progress: Completed
 * [n] In Progress [n] Total [n]"), `Completed` or `Failed`; the finalizer goes, and with it the
 * object, once it is `Completed` (pkg/controller/storagecluster/storagecluster.go). Without a
 * strategy the Operator deletes only its own objects and leaves PX running, unmanaged: never that.
 * `px/enabled=remove` is the DaemonSet install's method, not the Operator's.
 */
export const PX_DELETE_STRATEGY = 'UninstallAndWipe';

export const isStorageCluster = (o: KubernetesObject): boolean => o.kind === 'StorageCluster';

/** What the Operator's uninstall acts through (the API server; a stand-in in unit tests). */
export interface PxOperatorUninstallOps {
  read(object: KubernetesObject): Promise<KubernetesObject | undefined>;
  /** A merge patch of `spec.deleteStrategy.type` onto the StorageCluster. */
  setDeleteStrategy(storageCluster: KubernetesObject, type: string): Promise<void>;
  /** The DELETE request alone: the Operator takes it from there. */
  requestDelete(object: KubernetesObject): Promise<void>;
  /** Deletes and waits until gone (the install's other objects). */
  delete(object: KubernetesObject): Promise<void>;
}

export interface PxOperatorUninstallOptions {
  /** How long the Operator may take to stop, wipe and remove each StorageCluster. */
  readonly goneTimeoutMs: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
}

/** The plan's steps for it. */
export function pxOperatorUninstallSteps(
  objects: readonly KubernetesObject[],
  goneTimeoutMs: number,
): { step: string }[] {
  const clusters = objects.filter(isStorageCluster);
  const rest = objects.filter((o) => !isStorageCluster(o));
  return [
    ...clusters.flatMap((sc) => [
      {
        step: `set spec.deleteStrategy.type: ${PX_DELETE_STRATEGY} on ${objectLabel(sc)} (kubectl -n ${sc.metadata?.namespace ?? '?'} patch storagecluster ${sc.metadata?.name ?? '?'} --type merge -p '{"spec":{"deleteStrategy":{"type":"${PX_DELETE_STRATEGY}"}}}')`,
      },
      {
        step: `delete ${objectLabel(sc)} and wait until it is gone (the Operator stops PX, wipes its drives and /etc/pwx, /opt/pwx on every node, then lets it go), printing status.phase and its Delete condition; at most ${formatDuration(goneTimeoutMs)}`,
      },
    ]),
    ...(rest.length
      ? [{ step: `delete, in reverse order: ${[...rest].reverse().map(objectLabel).join(', ')}` }]
      : []),
  ];
}

/** `status.phase` and the `Delete` condition, as one phrase. */
function describeStatus(live: KubernetesObject): string {
  const status = (
    live as {
      status?: { phase?: string; conditions?: { type?: string; status?: string; message?: string }[] };
    }
  ).status;
  const del = status?.conditions?.find((c) => c.type === 'Delete');
  const parts = [
    `phase ${status?.phase ?? 'not set'}`,
    ...(del ? [`Delete ${del.status ?? '?'}${del.message ? `: ${del.message}` : ''}`] : []),
  ];
  const finalizers = live.metadata?.finalizers ?? [];
  if (finalizers.length) parts.push(`finalizers ${finalizers.join(', ')}`);
  return parts.join('; ');
}

/**
 * Uninstalls through the Operator: for each StorageCluster, the delete strategy, the delete, and
 * a poll until it is gone (one line per poll; past `goneTimeoutMs` an error naming its phase,
 * condition and finalizers); then the install's other objects, in reverse order.
 * `found`: the install's objects that exist, all the harness's (the caller checked the marker).
 */
export async function uninstallByOperator(
  found: readonly { o: KubernetesObject; live: KubernetesObject }[],
  ops: PxOperatorUninstallOps,
  options: PxOperatorUninstallOptions,
): Promise<string[]> {
  const removed: string[] = [];
  for (const { o, live } of found.filter((f) => isStorageCluster(f.o))) {
    const label = objectLabel(o);
    await ops.setDeleteStrategy(o, PX_DELETE_STRATEGY);
    options.progress(`${label}: spec.deleteStrategy.type set to ${PX_DELETE_STRATEGY}`);
    await ops.requestDelete(o);
    options.progress(`deleted ${label}: the Operator now uninstalls Portworx and wipes its drives`);
    const started = performance.now();
    for (;;) {
      const now = await ops.read(o);
      const waited = performance.now() - started;
      if (!now || now.metadata?.uid !== live.metadata?.uid) {
        options.progress(
          `${label} gone after ${formatDuration(waited)}: Portworx uninstalled by the Operator`,
        );
        break;
      }
      if (waited > options.goneTimeoutMs)
        throw new Error(
          `${label} still there ${formatDuration(waited)} after its delete (${describeStatus(now)}): is the Portworx Operator running?`,
        );
      options.progress(
        `waiting for the Operator to remove ${label} (${formatDuration(waited)}): ${describeStatus(now)}`,
      );
      await sleep(options.pollMs);
    }
    removed.push(label);
  }
  const rest = found.filter((f) => !isStorageCluster(f.o)).reverse();
  for (const { o } of rest) await ops.delete(o);
  if (rest.length) options.progress(`deleted ${rest.length} other object(s)`);
  return removed;
}

import { StorageV1Api, type V1PersistentVolume } from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isNotFound } from '../../k8s/kube-api-error.js';

/** The provisioner of a StorageClass whose volumes are made by hand (the kube lab's Gluster pool). */
const STATIC_PROVISIONER = 'kubernetes.io/no-provisioner';

/**
 * Before the run's claim is made: a class of static volumes with none Available would leave the
 * claim Pending for ever (the pod "Pending, not scheduled" until the ready timeout, minutes later).
 * Refuses at once (exit 3) in one line naming the class, each volume with its phase and the claim
 * holding it — that is, the namespaces to remove. Classes with a provisioner are left to it.
 */
export async function checkClaimableVolume(
  client: KubeClient,
  storageClass: string | undefined,
  context: string,
): Promise<void> {
  if (!storageClass) return;
  const cls = await client
    .call(`read StorageClass ${storageClass}`, () =>
      client.api(StorageV1Api).readStorageClass({ name: storageClass }),
    )
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (cls?.provisioner !== STATIC_PROVISIONER) return;
  const pvs = (
    await client.call('list PersistentVolumes', () => client.core.listPersistentVolume())
  ).items.filter((pv) => pv.spec?.storageClassName === storageClass);
  if (pvs.some((pv) => pv.status?.phase === 'Available')) return;
  const holders = [
    ...new Set(pvs.flatMap((pv) => (pv.spec?.claimRef?.namespace ? [pv.spec.claimRef.namespace] : []))),
  ];
  throw new EnvironmentError(
    `no Available volume in StorageClass ${storageClass} (static volumes, no provisioner) on context ${context}: ` +
      (pvs.length ? pvs.map(describeVolume).join(', ') : 'it has no volumes') +
      (holders.length ? `; namespaces holding them: ${holders.join(', ')}` : ''),
  );
}

function describeVolume(pv: V1PersistentVolume): string {
  const claim = pv.spec?.claimRef;
  const phase = pv.status?.phase ?? 'unknown';
  return `${pv.metadata?.name ?? '?'} ${phase}${claim?.name ? ` (claim ${claim.namespace ?? ''}/${claim.name})` : ''}`;
}

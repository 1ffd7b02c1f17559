import type { KubeClient } from '../../k8s/kube-client.js';
import type { SutEvent } from '../sut.js';

/**
 * What a storage driver's own state watch gets from the SUT's `watch` (storage-drivers.ts
 * `watchState`): the run's namespace, the client, where events go, and the watch's signal, which
 * stops it. Portworx polls PX's node and volume state (px-state-poller.ts); gluster has none.
 */
export interface StorageStateWatchContext {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly onEvent: (e: SutEvent) => void;
  readonly signal: AbortSignal;
}

/** A started storage state watch: the SUT's close() waits for its last round. */
export interface StorageStateWatch {
  stopped(): Promise<void>;
}

/**
 * The storage volume behind the run's bound claim, as the driver names it: the in-tree Portworx
 * `volumeID`, the CSI `volumeHandle`, else the PersistentVolume's name (what PX calls a volume it
 * provisioned dynamically). Undefined while no claim is bound.
 */
export async function runVolumeName(
  client: KubeClient,
  namespace: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const c = client.with({ signal });
  const claims = await c.call(`list claims in ${namespace}`, () =>
    c.core.listNamespacedPersistentVolumeClaim({ namespace }),
  );
  const bound = claims.items.find((p) => p.status?.phase === 'Bound' && p.spec?.volumeName);
  if (!bound) return undefined;
  const name = bound.spec!.volumeName!;
  const pv = await c.call(`read volume ${name}`, () => c.core.readPersistentVolume({ name }));
  return pv.spec?.portworxVolume?.volumeID ?? pv.spec?.csi?.volumeHandle ?? name;
}

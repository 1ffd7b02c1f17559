import { PatchStrategy, setHeaderOptions, StorageV1Api, type V1Node } from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.js';
import { applyObjects } from '../../k8s/apply-objects.js';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import type { ClusterStorageContext, ClusterStorageTeardown } from '../postgres-on-k8s/cluster-storage.js';
import type { NoDriverConfig } from '../postgres-on-k8s/storage-driver-profile.js';
import { LOCAL_DISK_ATTACH, LOCAL_DISK_REMOVE, LOCAL_VOLUME_WIPE } from './local-node-commands.js';
import { isInstalledByHarness } from '../postgres-on-k8s/installed-by-marker.js';
import {
  LOCAL_STORAGE_CLASS,
  LOCAL_VOLUME_LABEL,
  localStorageClass,
  localVolume,
} from './local-storage-objects.js';

type Context = ClusterStorageContext<NoDriverConfig>;

const CONTROL_PLANE_ROLES = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** The nodes a pod can land on: every node but the control plane's. */
async function workerNodes(client: KubeClient): Promise<string[]> {
  const nodes = (await client.call('list nodes', () => client.core.listNode())).items;
  const isWorker = (n: V1Node): boolean =>
    !CONTROL_PLANE_ROLES.some((role) => n.metadata?.labels?.[role] !== undefined);
  return nodes
    .filter(isWorker)
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean);
}

function accessTo(ctx: Context, node: string): NodeAccess {
  const access = ctx.nodeAccess(node);
  if (!access)
    throw new EnvironmentError(
      `the local driver makes its disk on every worker and has no access to node ${node} (kind: docker exec; vm: an inventory entry)`,
    );
  return access;
}

async function ourVolumes(client: KubeClient) {
  return (
    await client.call(`list PersistentVolumes -l ${LOCAL_VOLUME_LABEL}`, () =>
      client.core.listPersistentVolume({ labelSelector: LOCAL_VOLUME_LABEL }),
    )
  ).items;
}

/**
 * Before a run arranges Postgres (idempotent): on every worker a loop-backed disk with the volume's
 * directory, then the StorageClass and one volume per worker; a volume an earlier run released is
 * wiped on its node and made Available again (the volumes are a fixed pool, one per node).
 */
export async function provisionLocalStorage(ctx: Context): Promise<void> {
  const { client, progress } = ctx;
  const workers = await workerNodes(client);
  if (workers.length === 0) throw new EnvironmentError('the local driver found no worker node');
  await Promise.all(
    workers.map((node) =>
      accessTo(ctx, node).exec(LOCAL_DISK_ATTACH, { timeoutMs: 120_000, ...signalOf(ctx) }),
    ),
  );
  await applyObjects(client, [
    localStorageClass(),
    ...workers.map((n) => localVolume(n, ctx.settings.storageSize)),
  ]);
  const recycled: string[] = [];
  for (const pv of await ourVolumes(client)) {
    const name = pv.metadata?.name ?? '';
    const node = pv.metadata?.labels?.[LOCAL_VOLUME_LABEL] ?? '';
    if (pv.status?.phase !== 'Released' || !workers.includes(node)) continue;
    progress(`recycling ${name}: wiping the volume on ${node}`);
    await accessTo(ctx, node).exec(LOCAL_VOLUME_WIPE, { timeoutMs: 120_000, ...signalOf(ctx) });
    await client.call(`release ${name}'s claim`, () =>
      client.core.patchPersistentVolume(
        { name, body: { spec: { claimRef: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    recycled.push(name);
  }
  progress(
    `local volumes: one per worker (${workers.join(', ')}) on a loop-backed disk, StorageClass ${LOCAL_STORAGE_CLASS}` +
      (recycled.length ? `; recycled ${recycled.join(', ')}` : ''),
  );
}

/**
 * `pxchaos teardown`: the driver's volumes that no claim holds, its StorageClass, and each worker's
 * disk. A volume still bound (a run's namespace holds it) is kept, and named.
 */
export async function teardownLocalStorage(ctx: Context): Promise<ClusterStorageTeardown> {
  const { client, progress } = ctx;
  let removedAnything = false;
  const held: string[] = [];
  for (const pv of await ourVolumes(client)) {
    const name = pv.metadata?.name ?? '';
    if (pv.status?.phase === 'Bound') {
      held.push(`${name} (claim ${pv.spec?.claimRef?.namespace ?? '?'}/${pv.spec?.claimRef?.name ?? '?'})`);
      continue;
    }
    await deleteAndWaitGone(client, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name } });
    progress(`deleted PersistentVolume ${name}`);
    removedAnything = true;
  }
  if (held.length) {
    progress(`kept, still bound: ${held.join(', ')}; the StorageClass and the disks stay with them`);
    return { removedAnything };
  }
  const storage = client.api(StorageV1Api);
  const cls = await client
    .call(`read StorageClass ${LOCAL_STORAGE_CLASS}`, () =>
      storage.readStorageClass({ name: LOCAL_STORAGE_CLASS }),
    )
    .catch(() => undefined);
  // Only the class the driver made (marked); one of the user's with the same name stays.
  if (isInstalledByHarness(cls)) {
    await deleteAndWaitGone(client, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: LOCAL_STORAGE_CLASS },
    });
    progress(`deleted StorageClass ${LOCAL_STORAGE_CLASS}`);
    removedAnything = true;
  }
  for (const node of await workerNodes(client)) {
    const r = await ctx.nodeAccess(node)?.exec(LOCAL_DISK_REMOVE, { timeoutMs: 60_000, ...signalOf(ctx) });
    if (!r?.stdout.includes('removed')) continue;
    progress(`removed the local disk on ${node}`);
    removedAnything = true;
  }
  if (!removedAnything) progress('nothing to tear down: nothing pxchaos provisioned is left');
  return { removedAnything };
}

const signalOf = (ctx: Context): { signal?: AbortSignal } => (ctx.signal ? { signal: ctx.signal } : {});

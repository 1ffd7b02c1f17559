import type { KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, objectLabel } from '../../k8s/apply-objects.js';
import { waitDaemonSetReady } from '../../k8s/daemonset-ready.js';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import type { ClusterStorageContext, ClusterStorageTeardown } from '../postgres-on-k8s/cluster-storage.js';
import type { PortworxConfig } from './portworx-config.js';
import { waitForPxHealth } from './px-health.js';
import { kubePxHealthProbe } from './px-health-probe.js';
import {
  installPortworx,
  PX_HEALTH_POLL_MS,
  installedPxPods,
  uninstallInstalledPortworx,
} from './px-install-kube.js';
import { gatherPxPreflightFacts, pxPreflight, type PxNodeFacts, type PxPreflight } from './px-preflight.js';
import { pxProvisionerForCluster } from './px-provisioner-kube.js';
import { PORTWORX_STORAGE_CLASS } from './portworx-storage-class.js';
import {
  provisionPortworx,
  pxProvisionPlan,
  teardownPortworx,
  type PxProvisionOps,
  type PxProvisionPlan,
} from './px-provision.js';

/** Image pulls on a fresh node, then the init step (a sparse file, losetup): minutes at most. */
export const LOOP_DEVICES_READY_TIMEOUT_MS = 5 * 60_000;
const LOOP_DEVICES_POLL_MS = 2_000;
/** Node-side teardown: losetup -d and rm on a few files. */
const NODE_TEARDOWN_TIMEOUT_MS = 60_000;

export interface KubePxProvisionOptions {
  /** The install preflight's verdict (default: pxPreflight); see installPortworx. */
  readonly judgePreflight?: (facts: readonly PxNodeFacts[]) => PxPreflight;
  readonly loopDevicesTimeoutMs?: number;
}

/** PxProvisionOps on a real cluster: the API server, and node access for the node-side steps. */
export function kubePxProvisionOps(
  ctx: ClusterStorageContext<PortworxConfig>,
  plan: PxProvisionPlan,
  options: KubePxProvisionOptions = {},
): PxProvisionOps {
  const { client, progress, signal, nodeAccess } = ctx;
  const settings = ctx.config.portworx;
  const pxPods = installedPxPods(settings, plan.install ?? []);
  return {
    read: (o: KubernetesObject) =>
      client
        .call(`read ${objectLabel(o)}`, () => client.objects.read(structuredClone(o) as never))
        .catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
    apply: async (o) => {
      await applyObjects(client, [o]);
    },
    delete: async (o) => {
      // Foreground: the DaemonSet is gone only once its pods are, so nothing of it is left behind.
      await deleteAndWaitGone(client, o, { propagationPolicy: 'Foreground', ...(signal && { signal }) });
    },
    waitLoopDevices: async (ds) => {
      await waitDaemonSetReady(client, ds, {
        timeoutMs: options.loopDevicesTimeoutMs ?? LOOP_DEVICES_READY_TIMEOUT_MS,
        pollMs: LOOP_DEVICES_POLL_MS,
        failAfterRestarts: 3,
        progress,
        ...(signal && { signal }),
      });
    },
    installPx: async () => {
      await installPortworx(client, settings, nodeAccess, progress, signal, options.judgePreflight);
    },
    waitPxUp: async () => {
      // The nodes PX runs on, by the preflight's own rule (Ready, schedulable, not px/enabled=false).
      const { nodes } = pxPreflight(await gatherPxPreflightFacts(client, nodeAccess));
      await waitForPxHealth(kubePxHealthProbe(client, pxPods, nodes), {
        timeoutMs: settings.install.healthTimeoutMs,
        pollMs: PX_HEALTH_POLL_MS,
        progress,
        ...(signal && { signal }),
      });
    },
    uninstallPx: () => uninstallInstalledPortworx(client, settings, plan.install ?? [], nodeAccess, progress),
    nodes: async () =>
      (await client.call('list nodes', () => client.core.listNode())).items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean)
        .sort(),
    onNode: (node, argv) => {
      const access = nodeAccess(node);
      if (!access) throw new Error(`no node access to ${node}`);
      return access.exec(argv, {
        timeoutMs: NODE_TEARDOWN_TIMEOUT_MS,
        check: false,
        ...(signal && { signal }),
      });
    },
  };
}

/** The plan for this cluster (a rendered StorageCluster lists the nodes; reads need only its name). */
function planFor(ctx: ClusterStorageContext<PortworxConfig>, provisioner?: string): PxProvisionPlan {
  return pxProvisionPlan(ctx.config.portworx, ctx.settings.storageClass, ['-'], provisioner);
}

/**
 * The portworx profile's `provisionStorage`. Before anything is applied, our StorageClass's
 * provisioner is chosen for the cluster (its version, the CSIDriver pxd.portworx.com, what the
 * install brings), one line saying which and why, or the run is refused in one line.
 */
export async function provisionPortworxStorage(
  ctx: ClusterStorageContext<PortworxConfig>,
  options?: KubePxProvisionOptions,
): Promise<void> {
  let plan = planFor(ctx);
  if (plan.storageClass) {
    const name = plan.storageClass.metadata?.name ?? PORTWORX_STORAGE_CLASS;
    const choice = await pxProvisionerForCluster(
      ctx.client,
      ctx.config.portworx.provisioner,
      plan.install ?? [],
      name,
    );
    ctx.progress(`StorageClass ${name}: provisioner ${choice.provisioner} (${choice.reason})`);
    plan = planFor(ctx, choice.provisioner);
  }
  await provisionPortworx(plan, kubePxProvisionOps(ctx, plan, options), ctx.progress);
}

/** The portworx profile's `teardownStorage`. */
export function teardownPortworxStorage(
  ctx: ClusterStorageContext<PortworxConfig>,
): Promise<ClusterStorageTeardown> {
  const plan = planFor(ctx);
  return teardownPortworx(plan, kubePxProvisionOps(ctx, plan), ctx.progress);
}

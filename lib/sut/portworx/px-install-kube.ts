import { PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, objectLabel } from '../../k8s/apply-objects.js';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import type { PortworxSettings } from './portworx-config.js';
import { waitForPxHealth } from './px-health.js';
import { kubePxHealthProbe } from './px-health-probe.js';
import { pxInstallObjects, type PxInstallObjects } from './px-install-objects.js';
import type { PxPods } from './px-pods.js';
import { gatherPxPreflightFacts, pxPreflight, type PxNodeFacts, type PxPreflight } from './px-preflight.js';
import {
  PX_ENABLED_LABEL,
  PX_GONE_POLL_MS,
  PX_GONE_TIMEOUT_MS,
  uninstallPortworx,
  type PxUninstallOps,
  type PxUninstallOutcome,
} from './px-uninstall.js';

/** torpedo's "PX is up" poll (portworx.md). */
export const PX_HEALTH_POLL_MS = 10_000;

/** The preflight refused: every reason, one line each. */
export class PxPreflightRefused extends Error {
  override name = 'PxPreflightRefused';
  constructor(readonly refusals: readonly string[]) {
    super(`Portworx install refused:\n${refusals.map((r) => `  - ${r}`).join('\n')}`);
  }
}

/**
 * How to find the PX pods (config `portworx.pxPods`, which the state poller reads too); for a PX the
 * harness installs, in the spec's `portworx` DaemonSet's namespace, else the install's.
 */
export function installedPxPods(settings: PortworxSettings, objects: readonly KubernetesObject[]): PxPods {
  if (!settings.install.enabled) return settings.pxPods;
  const ds = objects.find((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'portworx');
  return { ...settings.pxPods, namespace: ds?.metadata?.namespace ?? settings.install.namespace };
}

/**
 * Install Portworx when `portworx.install.enabled`: preflight (refusing with every reason), apply
 * every object in order, then wait for torpedo's "PX is up" on every node, one progress line per
 * poll. Returns what was applied (undefined when install is off: the user's PX is used as it is).
 * `judge`: the preflight's verdict on the facts (a test's stand-in PX loads no kernel module, so it
 * may waive the one-kernel refusal; nothing else does).
 */
export async function installPortworx(
  client: KubeClient,
  settings: PortworxSettings,
  access: (node: string) => NodeAccess | undefined,
  progress: (line: string) => void,
  signal?: AbortSignal,
  judge: (facts: readonly PxNodeFacts[]) => PxPreflight = pxPreflight,
): Promise<PxInstallObjects | undefined> {
  if (!settings.install.enabled) return undefined;
  const preflight = judge(await gatherPxPreflightFacts(client, access));
  if (preflight.refusals.length > 0) throw new PxPreflightRefused(preflight.refusals);
  const install = pxInstallObjects(settings, preflight.nodes);
  progress(`installing Portworx from ${install.source}: ${install.objects.map(objectLabel).join(', ')}`);
  await applyObjects(client, install.objects);
  await waitForPxHealth(
    kubePxHealthProbe(client, installedPxPods(settings, install.objects), preflight.nodes),
    {
      timeoutMs: settings.install.healthTimeoutMs,
      pollMs: PX_HEALTH_POLL_MS,
      progress,
      ...(signal && { signal }),
    },
  );
  return install;
}

/** The uninstall's operations on a real cluster. */
export function kubePxUninstallOps(
  client: KubeClient,
  pods: PxPods,
  access: (node: string) => NodeAccess | undefined,
): PxUninstallOps {
  return {
    read: (o) =>
      client
        .call(`read ${objectLabel(o)}`, () => client.objects.read(structuredClone(o) as never))
        .catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
    labelNodes: async (value) => {
      const nodes = (await client.call('list nodes', () => client.core.listNode())).items.map(
        (n) => n.metadata?.name ?? '',
      );
      for (const name of nodes)
        await client.call(`label node ${name} ${PX_ENABLED_LABEL}`, () =>
          client.core.patchNode(
            { name, body: { metadata: { labels: { [PX_ENABLED_LABEL]: value ?? null } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
        );
      return nodes;
    },
    pxPods: async () =>
      (
        await client.call(`list pods ${pods.namespace} -l ${pods.labelSelector}`, () =>
          client.core.listNamespacedPod({ namespace: pods.namespace, labelSelector: pods.labelSelector }),
        )
      ).items,
    onNode: (node, argv) => {
      const a = access(node);
      if (!a) throw new Error(`no node access to ${node}: cannot remove PX's files there`);
      return a.exec(argv, { timeoutMs: 60_000, check: false });
    },
    delete: async (o) => {
      await deleteAndWaitGone(client, o);
    },
    setDeleteStrategy: async (o, type) => {
      const { apiVersion, kind } = o;
      const { name, namespace } = o.metadata ?? {};
      await client.call(`patch ${objectLabel(o)} spec.deleteStrategy`, () =>
        client.objects.patch(
          { apiVersion, kind, metadata: { name, namespace }, spec: { deleteStrategy: { type } } },
          undefined,
          undefined,
          undefined,
          undefined,
          PatchStrategy.MergePatch,
        ),
      );
    },
    requestDelete: async (o) => {
      const { apiVersion, kind } = o;
      const { name, namespace } = o.metadata ?? {};
      await client
        .call(`delete ${objectLabel(o)}`, () =>
          client.objects.delete({ apiVersion, kind, metadata: { name, namespace } }),
        )
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    },
  };
}

/**
 * `installPortworx`'s undo, for the teardown; refuses (outcome done: false) a PX the harness did not
 * install. `timing`: how long PX may take to go and how often to look (tests shorten the poll).
 */
export function uninstallInstalledPortworx(
  client: KubeClient,
  settings: PortworxSettings,
  objects: readonly KubernetesObject[],
  access: (node: string) => NodeAccess | undefined,
  progress: (line: string) => void,
  timing: { goneTimeoutMs: number; pollMs: number } = {
    goneTimeoutMs: PX_GONE_TIMEOUT_MS,
    pollMs: PX_GONE_POLL_MS,
  },
): Promise<PxUninstallOutcome> {
  return uninstallPortworx(objects, kubePxUninstallOps(client, installedPxPods(settings, objects), access), {
    ...timing,
    progress,
  });
}

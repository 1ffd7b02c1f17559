import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { objectLabel } from '../../k8s/apply-objects.js';
import type { ExecResult } from '../../nodes/exec-result.js';
import { formatDuration } from '../../time/duration.js';
import { isInstalledByHarness, INSTALLED_BY } from '../postgres-on-k8s/installed-by-marker.js';
import {
  isStorageCluster,
  PX_DELETE_STRATEGY,
  pxOperatorUninstallSteps,
  uninstallByOperator,
  type PxOperatorUninstallOps,
} from './px-operator-uninstall.js';

/**
 * Portworx's documented uninstall (fixture node-labels-…-pxdocs-excerpts.md, uninstall.md steps
 * 1–4; docs.portworx.com "Uninstall … DaemonSet": the wipe removes /etc/pwx and /opt/pwx from every
 * node): label every node `px/enabled=remove` (PX removes its systemd service and stops), wait
 * for the PX pods to go, remove PX's files on each node, delete the applied objects, drop the label.
 * That is the DaemonSet install's method; a PX the Operator runs (the install has a StorageCluster)
 * is uninstalled the Operator's way instead (px-operator-uninstall.ts). Either way only a PX the
 * harness installed (lib/sut/postgres-on-k8s/installed-by-marker.ts).
 */

/**
 * How long PX may take to go, and how often to look: its pods after px/enabled=remove ("allow a
 * few minutes", troubleshooting doc), or a StorageCluster while the Operator's node wiper runs.
 */
export const PX_GONE_TIMEOUT_MS = 10 * 60_000;
export const PX_GONE_POLL_MS = 5_000;

export const PX_ENABLED_LABEL = 'px/enabled';
export const PX_REMOVE = 'remove';

/** Run on each node once PX is gone: its OCI mount, then its binaries and config (the wipe's directories). */
export const PX_NODE_FILES_ARGV: readonly string[] = [
  'sh',
  '-c',
  'if grep -qs " /opt/pwx/oci " /proc/self/mounts; then umount /opt/pwx/oci; fi; rm -rf /etc/pwx /opt/pwx',
];

/** The uninstall as data, for the plan: what runs where, in order. */
export function pxUninstallSteps(
  objects: readonly KubernetesObject[],
  goneTimeoutMs: number,
): { step: string; argv?: readonly string[] }[] {
  const onlyOurs = {
    step: `only when the objects carry the annotation ${INSTALLED_BY}=pxchaos; otherwise nothing is done`,
  };
  if (objects.some(isStorageCluster)) return [onlyOurs, ...pxOperatorUninstallSteps(objects, goneTimeoutMs)];
  return [
    onlyOurs,
    {
      step: `label every node ${PX_ENABLED_LABEL}=${PX_REMOVE} (kubectl label nodes --all px/enabled=remove --overwrite)`,
    },
    {
      step: `wait until no PX pod (-l name=portworx) is left, printing what remains; at most ${formatDuration(goneTimeoutMs)}`,
    },
    { step: 'on every node, as root, once PX is gone', argv: PX_NODE_FILES_ARGV },
    { step: `delete, in reverse order: ${[...objects].reverse().map(objectLabel).join(', ')}` },
    { step: `remove the ${PX_ENABLED_LABEL} label from every node` },
  ];
}

/** What the uninstall acts through: the API server and node access (a stand-in in unit tests). */
export interface PxUninstallOps extends PxOperatorUninstallOps {
  /** The object as the cluster has it now, or undefined when absent. */
  read(object: KubernetesObject): Promise<KubernetesObject | undefined>;
  /** Sets (a value) or removes (undefined) `px/enabled` on every node; returns their names. */
  labelNodes(value: string | undefined): Promise<string[]>;
  pxPods(): Promise<V1Pod[]>;
  onNode(node: string, argv: readonly string[]): Promise<ExecResult>;
  delete(object: KubernetesObject): Promise<void>;
}

export interface PxUninstallOptions {
  /** How long PX may take to go: its pods after px/enabled=remove, or each StorageCluster. */
  readonly goneTimeoutMs: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
}

export type PxUninstallOutcome =
  /** `how`: the method, e.g. `px/enabled=remove on w1, w2, w3`. */
  { readonly done: true; readonly how: string } | { readonly done: false; readonly reason: string };

/** Uninstall a harness-installed PX; returns why nothing was done otherwise. Throws on a step that fails. */
export async function uninstallPortworx(
  objects: readonly KubernetesObject[],
  ops: PxUninstallOps,
  options: PxUninstallOptions,
): Promise<PxUninstallOutcome> {
  const found = (await Promise.all(objects.map(async (o) => ({ o, live: await ops.read(o) })))).filter(
    (f) => f.live !== undefined,
  );
  if (found.length === 0)
    return { done: false, reason: 'none of the install objects exist: nothing to uninstall' };
  const foreign = found.filter((f) => !isInstalledByHarness(f.live));
  if (foreign.length > 0)
    return {
      done: false,
      reason: `Portworx was not installed by pxchaos (no ${INSTALLED_BY} annotation on ${foreign.map((f) => objectLabel(f.o)).join(', ')}): left alone`,
    };
  if (found.some((f) => isStorageCluster(f.o))) {
    const clusters = await uninstallByOperator(
      found.map((f) => ({ o: f.o, live: f.live! })),
      ops,
      options,
    );
    return {
      done: true,
      how: `the Operator's deleteStrategy ${PX_DELETE_STRATEGY} on ${clusters.join(', ')}`,
    };
  }

  const nodes = await ops.labelNodes(PX_REMOVE);
  options.progress(`labelled ${nodes.length} node(s) ${PX_ENABLED_LABEL}=${PX_REMOVE}`);
  const started = performance.now();
  for (;;) {
    const pods = await ops.pxPods();
    const waited = performance.now() - started;
    if (pods.length === 0) {
      options.progress(`PX pods gone after ${formatDuration(waited)}`);
      break;
    }
    const left = pods.map((p) => `${p.metadata?.name ?? '?'} on ${p.spec?.nodeName ?? '?'}`).join(', ');
    if (waited > options.goneTimeoutMs)
      throw new Error(`PX pods still there ${formatDuration(waited)} after px/enabled=remove: ${left}`);
    options.progress(`waiting for ${pods.length} PX pod(s) to go (${formatDuration(waited)}): ${left}`);
    await sleep(options.pollMs);
  }
  for (const node of nodes) {
    const r = await ops.onNode(node, PX_NODE_FILES_ARGV);
    if (r.exitCode !== 0)
      throw new Error(
        `node ${node}: removing PX's files exited ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''}`,
      );
  }
  options.progress(`removed /etc/pwx and /opt/pwx on ${nodes.join(', ')}`);
  for (const { o } of [...found].reverse()) await ops.delete(o);
  options.progress(`deleted ${found.length} object(s)`);
  await ops.labelNodes(undefined);
  return { done: true, how: `${PX_ENABLED_LABEL}=${PX_REMOVE} on ${nodes.join(', ')}` };
}

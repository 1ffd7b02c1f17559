import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../k8s/kube-client.js';
import { execInPod } from '../../k8s/pod-exec.js';
import { findPxPods } from './find-px-pods.js';
import type { PxPods } from './px-pods.js';
import { PXD_TIMEOUT_DEFAULT_S, PXD_TIMEOUT_MIN_S } from './portworx-expectations.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * The px kernel module's I/O timeout (`pxd_timeout`, portworx.md "Agent down"): how long it queues
 * a volume's I/O while PX is down before failing it. Read in portworx/px-fuse pxd.c (at 3b3f794c):
 * - it is one variable of the module, `pxd_timeout_secs` (l.79), so one value per kernel, that is
 *   per node: every PX device's sysfs `timeout` on a node shows it (`pxd_timeout_show`, l.2026–2030),
 *   and a store sets it for the whole node (`pxd_timeout_store`, l.2032–2056; below
 *   PXD_TIMER_SECS_MIN 30 it is refused, l.55 and l.2043). Another node may have another value:
 *   what counts is the one on the node holding the volume's attachment, where the I/O is queued;
 * - it is reset to PXD_TIMER_SECS_DEFAULT 600 (l.56) whenever PX opens its control device again
 *   (`pxd_control_open`, l.2465, l.2502), that is after every PX restart, and the timer that fails
 *   the queued I/O takes the value current when PX disconnects (`pxd_control_release`, l.2541);
 * so it is read on that node when the run starts and again after every PX restart there
 * (px-state-poller.ts). Before the volume exists, the node it will be attached on is not known:
 * detection reads every node and takes the lowest. No PX device on a node yet → the module's
 * default applies to its first one: the documented 600 s, said so.
 */

/** Prints the first PX device's `timeout` on the node, or nothing when the node has no PX device. */
export const PXD_TIMEOUT_ARGV: readonly string[] = [
  'sh',
  '-c',
  'for f in /sys/bus/pxd/devices/*/timeout; do [ -r "$f" ] && { cat "$f"; exit 0; }; done; exit 0',
];

/** The seconds in that output; undefined for no output (no PX device); anything else is unreadable. */
export function parsePxdTimeout(stdout: string): number | undefined {
  const text = stdout.trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw new PxStateUnreadable(`pxd timeout "${text.slice(0, 60)}" is not a whole number of seconds`);
  const s = Number(text);
  if (s < PXD_TIMEOUT_MIN_S)
    throw new PxStateUnreadable(`pxd timeout ${s} s is below the px module's minimum ${PXD_TIMEOUT_MIN_S} s`);
  return s;
}

/** One node's value, or why there is none (no PX device yet, the exec failed). */
export type PxdTimeoutOnNode =
  | { readonly node: string; readonly seconds: number }
  | { readonly node: string; readonly seconds: undefined; readonly why: string };

/** Reads pxd_timeout in one PX pod (its node's /sys), with a 10 s deadline; never throws. */
export async function readPxdTimeoutIn(
  client: KubeClient,
  pod: V1Pod,
  container: string,
  signal?: AbortSignal,
): Promise<PxdTimeoutOnNode> {
  const name = pod.metadata?.name ?? '?';
  const node = pod.spec?.nodeName ?? name;
  try {
    const r = await execInPod(
      client,
      { namespace: pod.metadata?.namespace ?? '', pod: name, container },
      PXD_TIMEOUT_ARGV,
      { timeoutMs: 10_000, ...(signal && { signal }) },
    );
    if (r.exitCode !== 0)
      return {
        node,
        seconds: undefined,
        why: `exit ${r.exitCode} in ${name}: ${r.stderr.trim().slice(0, 200)}`,
      };
    const seconds = parsePxdTimeout(r.stdout);
    return seconds === undefined ? { node, seconds, why: 'no PX device yet' } : { node, seconds };
  } catch (err) {
    return { node, seconds: undefined, why: (err as Error).message };
  }
}

export interface PxdTimeoutReading {
  /** Undefined where none could be read or no device exists: the documented default applies. */
  readonly seconds: number | undefined;
  /** Where the value comes from, for the progress line and the expectations' sources. */
  readonly said: string;
}

/** `600 s on k1, k2; 120 s on k3; k4: no PX device yet`. */
function perNode(values: readonly PxdTimeoutOnNode[]): string {
  const bySeconds = new Map<number, string[]>();
  for (const v of values)
    if (v.seconds !== undefined) bySeconds.set(v.seconds, [...(bySeconds.get(v.seconds) ?? []), v.node]);
  return [
    ...[...bySeconds].map(([s, nodes]) => `${s} s on ${nodes.join(', ')}`),
    ...values.filter((v) => v.seconds === undefined).map((v) => `${v.node}: ${'why' in v ? v.why : ''}`),
  ].join('; ');
}

/**
 * Before a run, where the volume is not attached yet: pxd_timeout on every node with a running PX
 * pod, the lowest of them for the expectations (the pod may land on any node). Never throws.
 */
export async function readPxdTimeout(
  client: KubeClient,
  pods: PxPods,
  signal?: AbortSignal,
): Promise<PxdTimeoutReading> {
  const fallback = (why: string): PxdTimeoutReading => ({
    seconds: undefined,
    said: `pxd_timeout not read (${why}): the default ${PXD_TIMEOUT_DEFAULT_S} s (portworx.md "Agent down")`,
  });
  try {
    const found = await findPxPods(signal ? client.with({ signal }) : client, pods);
    const running = found.pods.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    if (running.length === 0) return fallback(`no running PX pod: ${found.said}`);
    const values = await Promise.all(running.map((p) => readPxdTimeoutIn(client, p, pods.container, signal)));
    const read = values.flatMap((v) => (v.seconds === undefined ? [] : [v.seconds]));
    if (read.length === 0) return fallback(`${perNode(values)}; ${found.said}`);
    const seconds = Math.min(...read);
    return {
      seconds,
      said: `pxd_timeout ${seconds} s, the lowest of every node's (${perNode(values)}; the volume is not attached yet, so the node that queues its I/O is not known; read from /sys/bus/pxd/devices/*/timeout in ${found.said})`,
    };
  } catch (err) {
    return fallback((err as Error).message);
  }
}

import type { KubeClient } from '../../k8s/kube-client.js';
import { execInPod } from '../../k8s/pod-exec.js';
import { findPxPods } from './find-px-pods.js';
import type { PxPods } from './px-pods.js';
import { PXD_TIMEOUT_DEFAULT_S, PXD_TIMEOUT_MIN_S } from './portworx-expectations.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * The px kernel module's I/O timeout (`pxd_timeout`, portworx.md "Agent down"): how long it queues
 * a volume's I/O while PX is down before failing it. The module has no parameter file for it; every
 * PX device's sysfs `timeout` attribute shows the one module-global value (px-fuse pxd.c:
 * `pxd_timeout_show` prints `pxd_timeout_secs`, default PXD_TIMER_SECS_DEFAULT 600, a store below
 * PXD_TIMER_SECS_MIN 30 is refused), so any device's file on any node tells it. No device yet → the
 * module's default applies to the first one: the documented 600 s, said so.
 */

/** Prints the first PX device's `timeout`, or nothing when the node has no PX device. */
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

export interface PxdTimeoutReading {
  /** Undefined where it could not be read or no device exists: the documented default applies. */
  readonly seconds: number | undefined;
  /** Where the value comes from, for the progress line and the expectations' sources. */
  readonly said: string;
}

/** Reads pxd_timeout by exec in the first running PX pod (its host's /sys); never throws. */
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
    const pod = found.pods.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    if (!pod) return fallback(`no running PX pod: ${found.said}`);
    const name = pod.metadata!.name!;
    const r = await execInPod(
      client,
      { namespace: found.namespace, pod: name, container: pods.container },
      PXD_TIMEOUT_ARGV,
      {
        timeoutMs: 10_000,
        ...(signal && { signal }),
      },
    );
    if (r.exitCode !== 0) return fallback(`exit ${r.exitCode} in ${name}: ${r.stderr.trim().slice(0, 200)}`);
    const seconds = parsePxdTimeout(r.stdout);
    if (seconds === undefined) return fallback(`no PX device on ${pod.spec?.nodeName ?? name} yet`);
    return {
      seconds,
      said: `pxd_timeout ${seconds} s (read from /sys/bus/pxd/devices/*/timeout on ${pod.spec?.nodeName ?? name}; ${found.said})`,
    };
  } catch (err) {
    return fallback((err as Error).message);
  }
}

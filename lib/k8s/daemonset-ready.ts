import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../time/duration.js';
import type { KubeClient } from './kube-client.js';
import { isNotFound } from './kube-api-error.js';
import { isPodServing } from './ready-pod.js';

export interface DaemonSetReadyOptions {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
  /**
   * An init container that failed this many times on a node fails the wait at once: the kubelet
   * retries it with a growing back-off, and a step that failed thrice (a missing tool, a full disk)
   * will not succeed on its own within the deadline.
   */
  readonly failAfterRestarts: number;
  readonly signal?: AbortSignal;
}

/** A node whose pod is not Ready: what it is doing, and for a failed init container its last log line. */
interface NotReady {
  readonly node: string;
  readonly says: string;
  readonly failed: boolean;
  readonly restarts: number;
}

/** The DaemonSet did not get Ready on every node in time, or an init container kept failing. */
export class DaemonSetNotReady extends Error {
  override name = 'DaemonSetNotReady';
}

const selectorOf = (ds: V1DaemonSet): string =>
  Object.entries(ds.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The last non-empty line a container printed (its previous instance when it is waiting to restart). */
async function lastLogLine(client: KubeClient, pod: V1Pod, container: string): Promise<string> {
  const read = (previous: boolean) =>
    client.call(`log of ${pod.metadata?.name ?? '?'}/${container}`, () =>
      client.core.readNamespacedPodLog({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        container,
        previous,
        tailLines: 20,
      }),
    );
  const text = await read(false)
    .then((t) => (t.trim() ? t : read(true)))
    .catch(() => read(true))
    .catch((err: unknown) => `(no log: ${(err as Error).message})`);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '(empty log)'
  );
}

/** What a pod that is not Ready is doing: which init container failed how, or its phase. */
async function notReady(client: KubeClient, pod: V1Pod): Promise<NotReady> {
  const node = pod.spec?.nodeName ?? `(unscheduled ${pod.metadata?.name ?? '?'})`;
  for (const init of pod.status?.initContainerStatuses ?? []) {
    const ended = init.state?.terminated ?? init.lastState?.terminated;
    if (init.state?.terminated?.exitCode === 0 || init.ready) continue;
    if (ended && ended.exitCode !== 0) {
      const line = await lastLogLine(client, pod, init.name);
      return {
        node,
        failed: true,
        restarts: init.restartCount,
        says: `init container ${init.name} exited ${ended.exitCode} (${init.restartCount} restart(s)): ${line}`,
      };
    }
    const waiting = init.state?.waiting?.reason;
    return { node, failed: false, restarts: 0, says: `init container ${init.name} ${waiting ?? 'running'}` };
  }
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  return {
    node,
    failed: false,
    restarts: 0,
    says: waiting ?? `${pod.status?.phase ?? 'no phase'}, not Ready`,
  };
}

/**
 * Waits until the DaemonSet has a Ready pod on every node it selects (its controller's
 * desiredNumberScheduled, once the controller has seen the current spec), one progress line per
 * poll naming each node that is not there yet; a node whose init container failed is named with
 * the container's last log line.
 */
export async function waitDaemonSetReady(
  client: KubeClient,
  ds: V1DaemonSet,
  options: DaemonSetReadyOptions,
): Promise<{ readonly nodes: readonly string[] }> {
  const namespace = ds.metadata?.namespace ?? 'default';
  const name = ds.metadata?.name ?? '';
  const label = `DaemonSet ${namespace}/${name}`;
  const started = performance.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const live = await client
      .call(`read ${label}`, () => client.apps.readNamespacedDaemonSet({ name, namespace }))
      .catch((err: unknown) => {
        if (isNotFound(err)) throw new DaemonSetNotReady(`${label} does not exist`);
        throw err;
      });
    const pods = (
      await client.call(`list pods of ${label}`, () =>
        client.core.listNamespacedPod({ namespace, labelSelector: selectorOf(live) }),
      )
    ).items.filter((p) => !p.metadata?.deletionTimestamp);
    const seen = (live.status?.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
    const desired = live.status?.desiredNumberScheduled ?? 0;
    const ready = pods.filter(isPodServing);
    const waiting = await Promise.all(pods.filter((p) => !isPodServing(p)).map((p) => notReady(client, p)));
    const elapsed = performance.now() - started;
    const line = `${label}: Ready on ${ready.length}/${desired} node(s) after ${formatDuration(elapsed)}${waiting.length ? `; ${waiting.map((w) => `${w.node}: ${w.says}`).join('; ')}` : ''}`;
    options.progress(line);
    if (seen && desired > 0 && ready.length >= desired && waiting.length === 0)
      return { nodes: ready.map((p) => p.spec?.nodeName ?? '?').sort() };
    const broken = waiting.filter((w) => w.failed && w.restarts + 1 >= options.failAfterRestarts);
    if (broken.length > 0)
      throw new DaemonSetNotReady(`${label}: ${broken.map((w) => `node ${w.node}: ${w.says}`).join('; ')}`);
    if (elapsed + options.pollMs > options.timeoutMs)
      throw new DaemonSetNotReady(`${label} not Ready within ${formatDuration(options.timeoutMs)}: ${line}`);
    await sleep(options.pollMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

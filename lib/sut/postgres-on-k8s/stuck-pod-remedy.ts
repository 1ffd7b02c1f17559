import type { KubeClient } from '../../k8s/kube-client.js';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import { formatDuration } from '../../time/duration.js';
import type { SutEvent } from '../sut.js';

/**
 * The harness deleting the Postgres pod when the storage on its node is down and nothing
 * storage-aware moves the pod (Portworx without Stork: the px module fails the I/O after
 * pxd_timeout and Postgres crash-loops until the pod is deleted, portworx.md "Agent down"). Driven
 * by the storage driver's own state events (px-node-offline…), so it is data from the driver, not
 * a switch on its name.
 */
export interface StorageDownRemedy {
  /** Events (with a node) saying the storage there is down, and that it is back. */
  readonly downEvents: readonly string[];
  readonly upEvents: readonly string[];
  /** How long after the down event the pod on that node is deleted. */
  readonly afterMs: number;
  /** Why, with its source: the detail of the pod-force-deleted event. */
  readonly why: string;
}

export interface StuckPodRemedyOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly pod: string;
  /** How long the pod's node must have been NotReady before the pod is force-deleted; none: not done. */
  readonly afterMs?: number;
  readonly storageDown?: StorageDownRemedy;
  /** Where the remedy reports what it did (pod-force-deleted) or could not do (remedy-failed). */
  readonly onEvent: (e: SutEvent) => void;
  readonly signal: AbortSignal;
}

const WHY =
  'a StatefulSet pod on an unreachable node stays Terminating until it is force-deleted (kubernetes.io: Force Delete StatefulSet Pods)';

interface Rule {
  readonly down: readonly string[];
  readonly up: readonly string[];
  readonly afterMs: number;
  readonly said: (node: string) => string;
}

/**
 * The platform's recovery made explicit, where no storage-aware operator (Stork) does it:
 * - a node cut: Kubernetes never replaces a StatefulSet pod whose node stopped answering (the pod
 *   could still be running there), so the documented remedy is to force-delete it once the node
 *   has been NotReady for `afterMs`;
 * - the storage down on a Ready node (`storageDown`): the pod is deleted `storageDown.afterMs`
 *   after the driver reported it down, unless it came back meanwhile.
 * Fed the SUT's platform events; the pod is force-deleted (grace 0) only if it is still on that
 * node, and the StatefulSet starts a new one.
 */
export class StuckPodRemedy {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly rules: Rule[];

  constructor(private readonly options: StuckPodRemedyOptions) {
    options.signal.addEventListener('abort', () => this.cancelAll(), { once: true });
    const { afterMs, storageDown } = options;
    this.rules = [
      ...(afterMs === undefined
        ? []
        : [
            {
              down: ['node-not-ready'],
              up: ['node-ready', 'node-deleted'],
              afterMs,
              said: (node: string) =>
                `by the harness: ${node} NotReady for ${formatDuration(afterMs)}; ${WHY}`,
            },
          ]),
      ...(storageDown
        ? [
            {
              down: storageDown.downEvents,
              up: storageDown.upEvents,
              afterMs: storageDown.afterMs,
              said: (node: string) =>
                `by the harness: storage down on ${node} for ${formatDuration(storageDown.afterMs)}; ${storageDown.why}`,
            },
          ]
        : []),
    ];
  }

  observe(e: SutEvent): void {
    if (!e.node || this.options.signal.aborted) return;
    const node = e.node;
    this.rules.forEach((rule, i) => {
      const key = `${i}:${node}`;
      if (rule.down.includes(e.event) && !this.timers.has(key)) {
        this.timers.set(
          key,
          setTimeout(() => {
            this.timers.delete(key);
            void this.remedy(node, rule.said(node));
          }, rule.afterMs),
        );
      } else if (rule.up.includes(e.event)) {
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
      }
    });
  }

  private async remedy(node: string, said: string): Promise<void> {
    const { namespace, pod, signal, onEvent } = this.options;
    const client = this.options.client.with({ signal });
    try {
      const current = await client.call(`read pod ${namespace}/${pod}`, () =>
        client.core.readNamespacedPod({ name: pod, namespace }),
      );
      if (current.spec?.nodeName !== node) return;
      const deleted = await deleteAndWaitGone(client, current, {
        gracePeriodSeconds: 0,
        timeoutMs: 30_000,
        signal,
      });
      if (!deleted.existed) return;
      onEvent({ event: 'pod-force-deleted', node, detail: said });
    } catch (err) {
      if (signal.aborted) return;
      onEvent({ event: 'remedy-failed', node, detail: `force delete of ${pod}: ${(err as Error).message}` });
    }
  }

  private cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

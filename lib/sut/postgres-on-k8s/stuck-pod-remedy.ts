import type { KubeClient } from '../../k8s/kube-client.js';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import { formatDuration } from '../../time/duration.js';
import type { SutEvent } from '../sut.js';

export interface StuckPodRemedyOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly pod: string;
  /** How long the pod's node must have been NotReady before the pod is force-deleted. */
  readonly afterMs: number;
  /** Where the remedy reports what it did (pod-force-deleted) or could not do (remedy-failed). */
  readonly onEvent: (e: SutEvent) => void;
  readonly signal: AbortSignal;
}

const WHY =
  'a StatefulSet pod on an unreachable node stays Terminating until it is force-deleted (kubernetes.io: Force Delete StatefulSet Pods)';

/**
 * The platform's recovery from a node cut, made explicit: Kubernetes never replaces a StatefulSet
 * pod whose node stopped answering (the pod could still be running there), so with no storage-aware
 * operator doing it (Portworx users have Stork) the documented remedy is to force-delete it. Fed the
 * SUT's platform events: when the node running the pod has been NotReady for `afterMs`, the pod is
 * force-deleted (grace period 0) and the StatefulSet starts a new one on a Ready node.
 */
export class StuckPodRemedy {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: StuckPodRemedyOptions) {
    options.signal.addEventListener('abort', () => this.cancelAll(), { once: true });
  }

  observe(e: SutEvent): void {
    if (!e.node || this.options.signal.aborted) return;
    if (e.event === 'node-not-ready' && !this.timers.has(e.node)) {
      const node = e.node;
      this.timers.set(
        node,
        setTimeout(() => {
          this.timers.delete(node);
          void this.remedy(node);
        }, this.options.afterMs),
      );
    } else if (e.event === 'node-ready' || e.event === 'node-deleted') {
      clearTimeout(this.timers.get(e.node));
      this.timers.delete(e.node);
    }
  }

  private async remedy(node: string): Promise<void> {
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
      onEvent({
        event: 'pod-force-deleted',
        node,
        detail: `by the harness: ${node} NotReady for ${formatDuration(this.options.afterMs)}; ${WHY}`,
      });
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

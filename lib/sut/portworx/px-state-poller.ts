import type { V1Pod } from '@kubernetes/client-node';
import { execInPod } from '../../k8s/pod-exec.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { SutEvent } from '../sut.js';
import {
  carriedOver,
  pxStateChanges,
  pxStateSnapshot,
  type PxPodRead,
  type PxStateSnapshot,
} from './px-state-snapshot.js';
import { AttachedPxdTimeout } from './attached-pxd-timeout.js';
import { findPxPods } from './find-px-pods.js';
import { readPxdTimeoutIn } from './pxd-timeout.js';
import type { PxPods } from './px-pods.js';
import { PXCTL } from './pxctl-path.js';
import { pxctlStdout } from './pxctl-output.js';

/**
 * PX's own view of its nodes and of the Postgres volume, polled into the timeline while a run
 * watches (the storage driver's `watchState` hook, started and stopped with the SUT's watch).
 * Read by exec in the PX pods (`pxctl status` text: every recorded version's shape is parsed, where
 * no full `pxctl -j status` sample exists, SOURCES.md §2), and `pxctl -j volume inspect` for the
 * volume. Only changes are recorded; what cannot be read becomes one `px-state-unreadable` event
 * at most every `unreadableEveryMs`, never a state. Where the PX pods were found (kube-system or
 * portworx unless the config names one, find-px-pods.ts) is one `px-pods` event; pxd_timeout on the
 * node holding the volume's attachment, at the start and after every PX restart there, is a
 * `px-pxd-timeout` event (attached-pxd-timeout.ts).
 */
export interface PxStatePollerOptions {
  readonly client: KubeClient;
  /**
   * Where the PX pods run, how they are labelled (the PX DaemonSet's and the Operator's:
   * `name=portworx`) and their PX container (they hold several with CSI): find-px-pods.ts.
   */
  readonly pxPods: PxPods;
  /** The PX volume's name or id, once the run's claim is bound (undefined before). */
  readonly volumeName: (signal: AbortSignal) => Promise<string | undefined>;
  readonly onEvent: (e: SutEvent) => void;
  readonly signal: AbortSignal;
  /** Between rounds (default 5 s). */
  readonly intervalMs?: number;
  /** Deadline of each exec (default 10 s: pxctl waits on PX's API). */
  readonly execTimeoutMs?: number;
  /** At most one px-state-unreadable event this often (default 60 s). */
  readonly unreadableEveryMs?: number;
}

const isRunning = (p: V1Pod): boolean => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp;

/** One PX pod per node, by node name: the running one where a rollout briefly has two. */
function podPerNode(pods: readonly V1Pod[]): V1Pod[] {
  const byNode = new Map<string, V1Pod>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node) continue;
    const had = byNode.get(node);
    if (!had || (!isRunning(had) && isRunning(p))) byNode.set(node, p);
  }
  return [...byNode.values()].sort((a, b) => a.spec!.nodeName!.localeCompare(b.spec!.nodeName!));
}

export class PxStatePoller {
  private state: PxStateSnapshot | undefined;
  private lastUnreadableAt = -Infinity;
  /** Where the PX pods were last found. */
  private pxNamespace: string | undefined;
  /** The PX pods of the last round, one per node. */
  private pods: readonly V1Pod[] = [];
  private readonly pxd = new AttachedPxdTimeout(async (node) => {
    const pod = this.pods.find((p) => p.spec?.nodeName === node && isRunning(p));
    return (
      pod && readPxdTimeoutIn(this.options.client, pod, this.options.pxPods.container, this.options.signal)
    );
  });
  private timer: NodeJS.Timeout | undefined;
  /** Settles when the round under way (if any) has ended. */
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: PxStatePollerOptions) {}

  start(): void {
    const { signal } = this.options;
    if (signal.aborted) return;
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
    const loop = (): void => {
      this.round = this.poll().then(() => {
        if (!signal.aborted) this.timer = setTimeout(loop, this.options.intervalMs ?? 5_000);
      });
    };
    loop();
  }

  /** Waits for the round under way to end (after the signal is aborted, no new one starts). */
  stopped(): Promise<void> {
    return this.round;
  }

  /** One round: read, diff against the state so far, report. Never throws. */
  async poll(): Promise<void> {
    const { signal, onEvent } = this.options;
    let snapshot: PxStateSnapshot;
    try {
      snapshot = await this.read();
    } catch (err) {
      snapshot = { nodes: new Map(), unreadable: [`could not read PX state: ${(err as Error).message}`] };
    }
    if (signal.aborted) return;
    for (const e of pxStateChanges(this.state, snapshot)) onEvent(e);
    this.state = carriedOver(this.state, snapshot);
    const pxd = await this.pxd.afterRound(this.state).catch(() => undefined);
    if (pxd && !signal.aborted) onEvent(pxd);
    const now = Date.now();
    if (
      snapshot.unreadable.length > 0 &&
      now - this.lastUnreadableAt >= (this.options.unreadableEveryMs ?? 60_000)
    ) {
      this.lastUnreadableAt = now;
      onEvent({ event: 'px-state-unreadable', detail: snapshot.unreadable.join('; ') });
    }
  }

  private async read(): Promise<PxStateSnapshot> {
    const { client, signal, onEvent } = this.options;
    const found = await findPxPods(client.with({ signal }), this.options.pxPods);
    if (found.namespace !== this.pxNamespace && found.pods.length > 0) {
      // Where the PX pods were found, once (and again if they move).
      this.pxNamespace = found.namespace;
      onEvent({ event: 'px-pods', detail: found.said });
    }
    const pods = podPerNode(found.pods);
    this.pods = pods;
    if (!pods.some(isRunning))
      return {
        nodes: new Map(),
        unreadable: [`could not read PX state: no running PX pod: ${found.said}`],
      };
    // A node whose PX pod is not running is in the round too: its peers may tell its state.
    const reads = await Promise.all(
      pods.map((p): Promise<PxPodRead> =>
        isRunning(p)
          ? this.readStatus(p)
          : Promise.resolve({
              node: p.spec!.nodeName!,
              hostIp: p.status?.hostIP,
              error: `PX pod ${p.metadata?.name ?? '?'} ${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Pending')}, not running`,
            }),
      ),
    );
    const volumeName = await this.options.volumeName(signal).catch(() => undefined);
    // A node whose PX says it is operational answers the volume inspect.
    const ok = pods.find((p, i) => /Status: PX is operational/.test(reads[i]!.statusText ?? ''));
    if (volumeName === undefined || !ok) return pxStateSnapshot(reads, undefined, this.state);
    const inspected = await this.exec(ok, [PXCTL, '-j', 'volume', 'inspect', volumeName]);
    const snapshot = pxStateSnapshot(reads, inspected.text, this.state);
    if (inspected.error === undefined) return snapshot;
    return {
      ...snapshot,
      unreadable: [
        ...snapshot.unreadable,
        `could not read PX state: pxctl -j volume inspect ${volumeName}: ${inspected.error}`,
      ],
    };
  }

  private async readStatus(pod: V1Pod): Promise<PxPodRead> {
    const r = await this.exec(pod, [PXCTL, 'status']);
    return {
      node: pod.spec!.nodeName!,
      hostIp: pod.status?.hostIP,
      ...(r.text !== undefined && { statusText: r.text }),
      ...(r.error !== undefined && { error: r.error }),
    };
  }

  /**
   * pxctl's stdout, or why there is none (pxctl-output.ts: stderr, where PX's log lines may go,
   * only explains an empty stdout). A non-zero exit with output is still read: pxctl prints
   * `PX is not running on this host` and exits non-zero when PX is down.
   */
  private async exec(pod: V1Pod, argv: readonly string[]): Promise<{ text?: string; error?: string }> {
    const { client, signal } = this.options;
    const pxContainer = this.options.pxPods.container;
    try {
      const r = await execInPod(
        client,
        { namespace: pod.metadata!.namespace!, pod: pod.metadata!.name!, container: pxContainer },
        argv,
        { timeoutMs: this.options.execTimeoutMs ?? 10_000, signal },
      );
      const out = pxctlStdout(r);
      return out instanceof Error ? { error: out.message } : { text: out };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}

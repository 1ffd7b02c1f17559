import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import { isPodServing } from '../../k8s/ready-pod.js';
import { formatDuration } from '../../time/duration.js';
import { pollUntil } from '../../time/poll-until.js';
import { describePodState, tellingEvents } from './pod-state.js';
import { POSTGRES_POD } from './pod-sql.js';
import { DATA_VOLUME, STATEFULSET_NAME } from './postgres-statefulset.js';

/** The Postgres pod did not get Running+Ready in time; the message carries its state and events. */
export class PodNotReadyError extends Error {
  override name = 'PodNotReadyError';
  constructor(
    message: string,
    /** The last state seen, as describePodState put it. */
    readonly state: string,
    /** Scheduling, mount, image and probe events about the pod, its claim and its StatefulSet. */
    readonly events: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ReadyPostgresPod {
  readonly pod: string;
  readonly uid: string;
  /** spec.nodeName: the node serving Postgres. */
  readonly node: string;
  /** From the start of the wait to Running+Ready seen. */
  readonly afterMs: number;
}

export interface WaitReadyOptions {
  /** Default 300 s (a Gluster mount plus initdb or crash recovery on 2 cores takes ~1 min). */
  readonly timeoutMs?: number;
  /** Wait for a pod other than this uid (the replacement of a deleted pod). */
  readonly replacingUid?: string;
  /** One line each time the pod's state changes, and every `heartbeatMs` (default 15 s) meanwhile. */
  readonly progress?: (line: string) => void;
  readonly heartbeatMs?: number;
  readonly signal?: AbortSignal;
}

/** The claim the StatefulSet's volumeClaimTemplate makes for its one pod. */
export const DATA_CLAIM = `${DATA_VOLUME}-${POSTGRES_POD}`;

/**
 * Waits until the StatefulSet's pod is Running+Ready (and not `replacingUid`), reporting each change
 * of state. If it never is, the error names the last state and the events that explain it
 * (FailedScheduling, FailedMount, image and probe failures...).
 */
export async function waitForPostgresReady(
  client: KubeClient,
  namespace: string,
  options: WaitReadyOptions = {},
): Promise<ReadyPostgresPod> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = performance.now();
  const progress = options.progress ?? ((): void => undefined);
  let ready: ReadyPostgresPod | undefined;
  let state = 'not looked yet';
  const check = async (): Promise<true | string> => {
    let pod: V1Pod | undefined;
    let claims: V1PersistentVolumeClaim[] = [];
    try {
      pod = await client
        .call(`read pod ${namespace}/${POSTGRES_POD}`, () =>
          client.core.readNamespacedPod({ name: POSTGRES_POD, namespace }),
        )
        .catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      if (pod && options.replacingUid !== undefined && pod.metadata?.uid === options.replacingUid)
        return (state = `${POSTGRES_POD} (uid ${options.replacingUid.slice(0, 8)}) not replaced yet: ${describePodState(pod)}`);
      if (pod && isPodServing(pod)) {
        ready = {
          pod: POSTGRES_POD,
          uid: pod.metadata?.uid ?? '',
          node: pod.spec?.nodeName ?? '',
          afterMs: performance.now() - started,
        };
        return true;
      }
      claims = await client
        .call(`read claim ${namespace}/${DATA_CLAIM}`, () =>
          client.core.readNamespacedPersistentVolumeClaim({ name: DATA_CLAIM, namespace }),
        )
        .then(
          (c) => [c],
          () => [],
        );
    } catch (err) {
      // A slow or restarting API server is not the pod's problem: report it and look again.
      return (state = `cannot read the pod: ${(err as Error).message}`);
    }
    return (state = describePodState(pod, claims));
  };
  // A line on every change of state, and at least every `heartbeatMs` while it stays the same
  // (initdb or crash recovery on replicated storage can keep a pod "Running, not Ready" for minutes).
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let reported = '';
  let reportedAt = 0;
  const report = async (): Promise<true | string> => {
    const result = await check();
    const line = result === true ? '' : result;
    if (line && (line !== reported || performance.now() - reportedAt >= heartbeatMs)) {
      progress(`${formatDuration(performance.now() - started)}: ${line}`);
      reported = line;
      reportedAt = performance.now();
    }
    return result;
  };
  try {
    await pollUntil(report, timeoutMs, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const events = await podEvents(client, namespace).catch((e: unknown) => [
      `(events unreadable: ${(e as Error).message})`,
    ]);
    throw new PodNotReadyError(
      `Postgres pod ${namespace}/${POSTGRES_POD} not Running+Ready after ${formatDuration(performance.now() - started)}: ${state}` +
        (events.length
          ? `\n  events:\n    ${events.slice(-12).join('\n    ')}`
          : '\n  (no events explain it)'),
      state,
      events,
      { cause: err },
    );
  }
  if (!ready) throw new Error('unreachable: poll ended without a ready pod');
  return ready;
}

/** The telling events about the pod, its claim and the StatefulSet (pod-state.ts). */
export async function podEvents(client: KubeClient, namespace: string): Promise<string[]> {
  const list = await client.call(`list events in ${namespace}`, () =>
    client.core.listNamespacedEvent({ namespace }),
  );
  const about = new Set([
    `Pod/${POSTGRES_POD}`,
    `PersistentVolumeClaim/${DATA_CLAIM}`,
    `StatefulSet/${STATEFULSET_NAME}`,
  ]);
  return tellingEvents(list.items, about);
}

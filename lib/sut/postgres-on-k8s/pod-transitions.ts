import type { V1Pod } from '@kubernetes/client-node';
import { isPodServing } from '../../k8s/ready-pod.js';
import type { WatchEvent } from '../../k8s/watch-objects.js';
import type { SutEvent } from '../sut.js';

/** What the timeline needs to remember of one pod (by uid) between watch events. */
export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly node?: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

export function podView(pod: V1Pod): PodView {
  return {
    name: pod.metadata?.name ?? '?',
    uid: pod.metadata?.uid ?? '',
    ...(pod.spec?.nodeName && { node: pod.spec.nodeName }),
    ready: isPodServing(pod),
    terminating: !!pod.metadata?.deletionTimestamp,
  };
}

const who = (p: PodView): string => `${p.name} uid ${p.uid.slice(0, 8)}`;

/**
 * The SUT events one pod watch event means, given what was known of that pod before:
 * pod-created, pod-scheduled (node), pod-ready, pod-not-ready, pod-terminating, pod-deleted.
 * Events derived from a re-list say so in their detail (the change happened while the watch was away).
 */
export function podTransitions(before: PodView | undefined, event: WatchEvent<V1Pod>): SutEvent[] {
  const after = podView(event.object);
  const note = event.fromRelist ? ' (seen on a re-list)' : '';
  const at = (e: string, p: PodView, detail: string): SutEvent => ({
    event: e,
    ...(p.node && { node: p.node }),
    detail: `${detail}${note}`,
  });
  if (event.type === 'DELETED') return [at('pod-deleted', before ?? after, who(after))];
  const out: SutEvent[] = [];
  if (!before) out.push(at('pod-created', after, who(after)));
  if (after.node && after.node !== before?.node)
    out.push(at('pod-scheduled', after, `${who(after)} on ${after.node}`));
  if (after.ready && !before?.ready) out.push(at('pod-ready', after, who(after)));
  if (!after.ready && before?.ready) out.push(at('pod-not-ready', after, who(after)));
  if (after.terminating && !before?.terminating) out.push(at('pod-terminating', after, who(after)));
  return out;
}

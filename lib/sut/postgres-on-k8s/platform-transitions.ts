import type {
  CoreV1Event,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import type { WatchEvent } from '../../k8s/watch-objects.js';
import type { SutEvent } from '../sut.js';

/**
 * Kubernetes objects other than the pod, turned into timeline events: node Ready/NotReady, claim
 * and volume phases, and the cluster's own Events. Each carries Kubernetes' timestamp (`at`) where
 * the object has one; the timeline adds the harness clock when it records the event.
 */

const relisted = (e: WatchEvent<unknown>): string => (e.fromRelist ? ' (seen on a re-list)' : '');

/** Kubernetes' timestamps come as Date (typed objects) or ISO strings (raw watch JSON). */
function iso(value: Date | string | undefined | null): string | undefined {
  if (!value) return undefined;
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export interface NodeView {
  readonly ready: 'True' | 'False' | 'Unknown';
}

export function nodeView(node: V1Node): NodeView {
  const status = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return { ready: status === 'True' || status === 'False' ? status : 'Unknown' };
}

/** node-ready / node-not-ready when the Ready condition changes (the first sight of a node only records it). */
export function nodeTransitions(before: NodeView | undefined, event: WatchEvent<V1Node>): SutEvent[] {
  const node = event.object.metadata?.name ?? '?';
  if (event.type === 'DELETED')
    return [{ event: 'node-deleted', node, detail: `node ${node}${relisted(event)}` }];
  const after = nodeView(event.object);
  if (!before || before.ready === after.ready) return [];
  const cond = event.object.status?.conditions?.find((c) => c.type === 'Ready');
  const at = iso(cond?.lastTransitionTime);
  return [
    {
      event: after.ready === 'True' ? 'node-ready' : 'node-not-ready',
      node,
      detail: `Ready=${after.ready}${cond?.reason ? ` (${cond.reason})` : ''}${relisted(event)}`,
      ...(at && { at }),
    },
  ];
}

/** claim-<phase> when a PersistentVolumeClaim's phase changes (Pending, Bound, Lost), with its volume. */
export function claimTransitions(
  before: string | undefined,
  event: WatchEvent<V1PersistentVolumeClaim>,
): SutEvent[] {
  const name = event.object.metadata?.name ?? '?';
  if (event.type === 'DELETED') return [{ event: 'claim-deleted', detail: `${name}${relisted(event)}` }];
  const phase = event.object.status?.phase ?? 'Pending';
  if (phase === before) return [];
  const volume = event.object.spec?.volumeName;
  return [
    {
      event: `claim-${phase.toLowerCase()}`,
      detail: `${name}${volume ? ` → ${volume}` : ''}${relisted(event)}`,
    },
  ];
}

/** volume-<phase> when a PersistentVolume bound to one of `namespace`'s claims changes phase. */
export function volumeTransitions(
  before: string | undefined,
  event: WatchEvent<V1PersistentVolume>,
  namespace: string,
): SutEvent[] {
  const claim = event.object.spec?.claimRef;
  if (claim?.namespace !== namespace) return [];
  const name = event.object.metadata?.name ?? '?';
  if (event.type === 'DELETED') return [{ event: 'volume-deleted', detail: `${name}${relisted(event)}` }];
  const phase = event.object.status?.phase ?? 'Pending';
  if (phase === before) return [];
  return [
    {
      event: `volume-${phase.toLowerCase()}`,
      detail: `${name} for ${claim.name ?? '?'}${relisted(event)}`,
    },
  ];
}

/**
 * The node an Event concerns: a Node's own name; Stork's `StorageDriverOffline` names it in its
 * message (`Deleting [CSI ]Pod from Node <node> due to volume driver status: …`, SOURCES.md "I. Stork
 * event"); a pod's Event (Stork's `NodeLost`: "Force deleting pod as it's in unknown state.") the
 * node that pod ran on, as the pod watch knew it; else the reporting kubelet's host.
 */
function eventNode(e: CoreV1Event, podNode?: (pod: string) => string | undefined): string | undefined {
  const obj = e.involvedObject;
  if (obj.kind === 'Node') return obj.name;
  const named = /\bPod from Node (\S+) due to /.exec(e.message ?? '')?.[1];
  if (named) return named;
  if (obj.kind === 'Pod' && obj.name) {
    const known = podNode?.(obj.name);
    if (known) return known;
  }
  return e.source?.host;
}

/**
 * A Kubernetes Event as `k8s:<reason>` (NodeNotReady, TaintManagerEviction, Killing, Scheduled,
 * FailedMount, FailedAttachVolume, StorageDriverOffline…), on the node it concerns, when it is new
 * or its count went up (Kubernetes folds repeats into one Event with a count).
 */
export function kubeEventTransitions(
  beforeCount: number | undefined,
  event: WatchEvent<CoreV1Event>,
  podNode?: (pod: string) => string | undefined,
): SutEvent[] {
  if (event.type === 'DELETED') return [];
  const e = event.object;
  const count = e.count ?? 1;
  if (beforeCount !== undefined && count <= beforeCount) return [];
  const obj = e.involvedObject;
  const node = eventNode(e, podNode);
  const at = iso(e.lastTimestamp) ?? iso(e.eventTime) ?? iso(e.firstTimestamp);
  const repeat = count > 1 ? ` (x${count})` : '';
  return [
    {
      event: `k8s:${e.reason ?? 'Unknown'}`,
      ...(node && { node }),
      detail: `${e.type === 'Warning' ? 'Warning ' : ''}${obj.kind?.toLowerCase() ?? '?'}/${obj.name ?? '?'}${repeat}: ${(e.message ?? '').trim()}${relisted(event)}`,
      ...(at && { at }),
    },
  ];
}

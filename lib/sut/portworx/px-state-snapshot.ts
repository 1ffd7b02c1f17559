import type { SutEvent } from '../sut.js';
import { resolvePxNode, type PxNode } from './px-node-state.js';
import { PxStateUnreadable } from './px-state-unreadable.js';
import { parsePxVolumes } from './px-volume-state.js';
import { pxNodeViews, type PxNodeRound, type PxNodeView } from './px-node-views.js';
import { readPxctlStatusHead, type PxLocalState } from './pxctl-status.js';
import { readPxctlStatusNodes, type PxctlStatusNode } from './pxctl-status-nodes.js';

/**
 * What the PX state poller (px-state-poller.ts) makes of one round of reads: each Kubernetes
 * node's PX state and the Postgres volume's, as the timeline shows them, and the events a change
 * between two rounds means. Pure, so it is tested on the recorded PX output of every version.
 *
 * Nothing here guesses: output that cannot be read whole (PxStateUnreadable) becomes a note
 * ("could not read PX state: …"), never a changed state. A node whose own pxctl cannot be read is
 * `unknown` unless its peers agree that its state changed (px-node-views.ts); the volume keeps its
 * last state.
 */

export type { PxNodeView } from './px-node-views.js';

/** One PX pod's `pxctl status` text, or why it could not be had. */
export interface PxPodRead {
  /** The Kubernetes node the PX pod runs on (spec.nodeName). */
  readonly node: string;
  /** The pod's host IP: PX runs with hostNetwork, so this is the node's PX management IP. */
  readonly hostIp: string | undefined;
  readonly statusText?: string;
  /** The exec failed (timeout, pod gone, pxctl missing): the message. */
  readonly error?: string;
}

export interface PxStateSnapshot {
  /** By Kubernetes node: every node with a PX pod, `unknown` where neither it nor its peers tell (px-node-views.ts). */
  readonly nodes: ReadonlyMap<string, PxNodeView>;
  /** The Postgres volume, when read this round. */
  readonly volume?: { readonly node: string | undefined; readonly said: string };
  /** Why some state could not be read, each starting with `could not read PX state: `. */
  readonly unreadable: readonly string[];
}

function unreadable(err: unknown): string {
  if (err instanceof PxStateUnreadable) return err.message;
  return new PxStateUnreadable((err as Error).message).message;
}

/** The Kubernetes node a row of the cluster summary is: by its SchedulerNodeName, else by the PX pod's host IP. */
function rowNode(row: PxctlStatusNode, reads: readonly PxPodRead[]): string | undefined {
  if (row.schedulerNodeName && reads.some((r) => r.node === row.schedulerNodeName))
    return row.schedulerNodeName;
  return reads.find((r) => r.hostIp !== undefined && r.hostIp === row.ip)?.node;
}

/**
 * One round: every PX pod's `pxctl status` (or why it could not be read), and (when a volume was
 * inspected) the text of `pxctl -j volume inspect <volume>`. Each node's state is its own, or its
 * peers' once they agree it changed since `before` (px-node-views.ts); the PX nodes the volume names
 * are looked up in every node table read whole.
 */
export function pxStateSnapshot(
  reads: readonly PxPodRead[],
  volumeText?: string,
  before?: PxStateSnapshot,
): PxStateSnapshot {
  const notes: string[] = [];
  const rounds: PxNodeRound[] = [];
  for (const r of reads) {
    if (r.error !== undefined || r.statusText === undefined) {
      notes.push(new PxStateUnreadable(`pxctl status on ${r.node}: ${r.error ?? 'no output'}`).message);
      rounds.push({ node: r.node, own: undefined, rows: [] });
      continue;
    }
    let own: PxLocalState | undefined;
    let rows: PxNodeRound['rows'] = [];
    try {
      own = readPxctlStatusHead(r.statusText).state;
      if (own !== 'not-running')
        rows = readPxctlStatusNodes(r.statusText).nodes.map((row) => ({ k8s: rowNode(row, reads), row }));
    } catch (err) {
      notes.push(`${unreadable(err)} (pxctl status on ${r.node})`);
    }
    rounds.push({ node: r.node, own, rows });
  }
  const pxNodes = new Map<string, PxClusterNode>();
  for (const { row, k8s } of rounds.flatMap((r) => r.rows))
    if (row.id !== undefined && !pxNodes.has(row.id))
      pxNodes.set(row.id, {
        id: row.id,
        mgmtIp: row.ip,
        dataIp: undefined,
        schedulerNodeName: row.schedulerNodeName,
        k8s,
      });
  let volume: PxStateSnapshot['volume'];
  if (volumeText !== undefined) {
    try {
      volume = pxVolumeView(volumeText, [...pxNodes.values()]);
    } catch (err) {
      notes.push(`${unreadable(err)} (pxctl -j volume inspect)`);
    }
  }
  return { nodes: pxNodeViews(rounds, before?.nodes), ...(volume && { volume }), unreadable: notes };
}

/** A PX node with the Kubernetes node it is, when known. */
export type PxClusterNode = PxNode & { readonly k8s: string | undefined };

/**
 * The volume as the timeline shows it: where attached (node id, mgmt IP or data IP matched to a
 * Kubernetes node), the nodes of every replica set (not their count), status and runtime state.
 */
export function pxVolumeView(
  text: string,
  nodes: readonly PxClusterNode[],
): NonNullable<PxStateSnapshot['volume']> {
  const vols = parsePxVolumes(text);
  if (vols.length !== 1) throw new PxStateUnreadable(`volume inspect gave ${vols.length} volumes, not 1`);
  const v = vols[0]!;
  const name = (id: string): string => {
    const n = nodes.find((x) => x.id === id);
    if (!n)
      throw new PxStateUnreadable(`replica node ${id} of volume ${v.name} is in no readable cluster view`);
    return n.k8s ?? `PX node ${id}`;
  };
  const replicas = v.replicaNodes.map(name).sort().join(',');
  const attached = v.attachedOn === undefined ? undefined : resolvePxNode(v.attachedOn, nodes);
  const where = attached ? `attached on ${attached.k8s ?? `PX node ${attached.id}`}` : v.state;
  const runtime = [...new Set(v.runtime.map((r) => r.state))].join(',');
  return {
    node: attached?.k8s,
    said: `${where}, replicas ${replicas}, status ${v.rawStatus}${runtime ? `, runtime ${runtime}` : ''}`,
  };
}

/**
 * The events between two rounds: `px-node-<status>` (online, offline, storage-down, maintenance,
 * unknown) for each node whose state changed, `px-peers-offline` when the other nodes' tables come
 * to agree a node is Offline (PX itself has marked it), and `px-volume` when the volume's did. The first
 * round is the starting state and is reported too (there is no Kubernetes list to start from).
 * A node or volume absent from `after` (not readable this round) keeps its state: no event.
 */
export function pxStateChanges(before: PxStateSnapshot | undefined, after: PxStateSnapshot): SutEvent[] {
  const out: SutEvent[] = [];
  for (const [node, view] of after.nodes) {
    const was = before?.nodes.get(node);
    if (was?.said === view.said) continue;
    out.push({
      event: `px-node-${view.status}`,
      node,
      detail: was ? `${was.said} → ${view.said}` : view.said,
    });
  }
  // PX itself marking a node Offline: its peers' tables agree on it, after agreeing on something
  // else (what Stork waits for; portworx-expectations.ts PX_MARKS_OFFLINE_MARGIN_S).
  for (const [node, view] of after.nodes) {
    const was = before?.nodes.get(node)?.peers;
    if (view.peers?.status === 'offline' && was !== undefined && was.status !== 'offline')
      out.push({
        event: 'px-peers-offline',
        node,
        detail: `PX marked ${node} Offline: ${view.peers.raw} (seen from ${view.peers.from.join(', ')})`,
      });
  }
  const vol = after.volume;
  if (vol && vol.said !== before?.volume?.said) {
    out.push({
      event: 'px-volume',
      ...(vol.node && { node: vol.node }),
      detail: before?.volume ? `${before.volume.said} → ${vol.said}` : vol.said,
    });
  }
  return out;
}

/** The state to diff the next round against: this round's, with what it could not read kept from before. */
export function carriedOver(before: PxStateSnapshot | undefined, after: PxStateSnapshot): PxStateSnapshot {
  const nodes = new Map(before?.nodes ?? []);
  for (const [node, view] of after.nodes) nodes.set(node, view);
  const volume = after.volume ?? before?.volume;
  return { nodes, ...(volume && { volume }), unreadable: after.unreadable };
}

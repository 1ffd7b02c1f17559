import type { SutEvent } from '../sut.js';
import { resolvePxNode, type PxNode, type PxNodeStatus } from './px-node-state.js';
import { PxStateUnreadable } from './px-state-unreadable.js';
import { parsePxVolumes } from './px-volume-state.js';
import { readPxctlStatusHead, type PxLocalState } from './pxctl-status.js';
import { readPxctlStatusNodes, type PxctlStatusNode } from './pxctl-status-nodes.js';

/**
 * What the PX state poller (px-state-poller.ts) makes of one round of reads: each Kubernetes
 * node's PX state and the Postgres volume's, as the timeline shows them, and the events a change
 * between two rounds means. Pure, so it is tested on the recorded PX output of every version.
 *
 * Nothing here guesses: output that cannot be read whole (PxStateUnreadable) leaves the state it
 * concerns as it was and becomes a note ("could not read PX state: …"), never a changed state.
 */

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

export interface PxNodeView {
  readonly status: PxNodeStatus;
  /** What the timeline shows: the cluster's view of the node and what PX on the node says of itself. */
  readonly said: string;
}

export interface PxStateSnapshot {
  /** By Kubernetes node; a node whose state could not be read this round is absent. */
  readonly nodes: ReadonlyMap<string, PxNodeView>;
  /** The Postgres volume, when read this round. */
  readonly volume?: { readonly node: string | undefined; readonly said: string };
  /** Why some state could not be read, each starting with `could not read PX state: `. */
  readonly unreadable: readonly string[];
}

const LOCAL_SAID: Record<PxLocalState, string> = {
  operational: 'PX is operational',
  'storage-down': 'PX storage down',
  'not-in-quorum': 'PX not in quorum',
  maintenance: 'PX in maintenance mode',
  'not-running': 'PX is not running on this host',
  unknown: 'PX status unknown',
};

/** What a node's own pxctl says, when no cluster view names it. `not-running` is offline whatever the cluster says. */
function localStatus(state: PxLocalState): PxNodeStatus {
  switch (state) {
    case 'operational':
      return 'online';
    case 'storage-down':
      return 'storage-down';
    case 'maintenance':
      return 'maintenance';
    case 'not-running':
      return 'offline';
    default:
      return 'unknown';
  }
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
 * One round: every PX pod's `pxctl status`, and (when a volume was inspected) the text of
 * `pxctl -j volume inspect <volume>`. The cluster view is the first pod's whose node table reads
 * whole (a pod whose PX is down prints no table: another node's view says it is Offline).
 */
export function pxStateSnapshot(reads: readonly PxPodRead[], volumeText?: string): PxStateSnapshot {
  const notes: string[] = [];
  const local = new Map<string, PxLocalState>();
  let cluster: { from: string; rows: PxctlStatusNode[] } | undefined;
  for (const r of reads) {
    if (r.error !== undefined || r.statusText === undefined) {
      notes.push(new PxStateUnreadable(`pxctl status on ${r.node}: ${r.error ?? 'no output'}`).message);
      continue;
    }
    try {
      const head = readPxctlStatusHead(r.statusText);
      local.set(r.node, head.state);
      if (!cluster && head.state !== 'not-running')
        cluster = { from: r.node, rows: readPxctlStatusNodes(r.statusText).nodes };
    } catch (err) {
      notes.push(`${unreadable(err)} (pxctl status on ${r.node})`);
    }
  }
  const nodes = new Map<string, PxNodeView>();
  const pxNodes: PxClusterNode[] = [];
  for (const row of cluster?.rows ?? []) {
    const k8s = rowNode(row, reads);
    if (row.id !== undefined)
      pxNodes.push({
        id: row.id,
        mgmtIp: row.ip,
        dataIp: undefined,
        schedulerNodeName: row.schedulerNodeName,
        k8s,
      });
    if (k8s === undefined) continue;
    const here = local.get(k8s);
    const status = here === 'not-running' ? 'offline' : row.status;
    nodes.set(k8s, {
      status,
      said: `${row.rawStatus} (seen from ${cluster!.from})${here !== undefined ? `; ${LOCAL_SAID[here]}` : ''}`,
    });
  }
  for (const [node, state] of local) {
    if (!nodes.has(node)) nodes.set(node, { status: localStatus(state), said: LOCAL_SAID[state] });
  }
  let volume: PxStateSnapshot['volume'];
  if (volumeText !== undefined) {
    try {
      volume = pxVolumeView(volumeText, pxNodes);
    } catch (err) {
      notes.push(`${unreadable(err)} (pxctl -j volume inspect)`);
    }
  }
  return { nodes, ...(volume && { volume }), unreadable: notes };
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
 * unknown) for each node whose state changed, and `px-volume` when the volume's did. The first
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

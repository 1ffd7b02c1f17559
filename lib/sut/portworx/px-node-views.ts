import type { PxNodeStatus } from './px-node-state.js';
import type { PxLocalState } from './pxctl-status.js';
import type { PxctlStatusNode } from './pxctl-status-nodes.js';

/**
 * Each Kubernetes node's PX state for the timeline, from one round of `pxctl status` in the PX pods.
 * A node's state comes from the node itself (its own pxctl's first line), or, when that cannot be
 * read (its pod unreachable, cut off, restarting), from its peers' node tables, but only once they
 * agree that it changed since the node was last read itself: a peer's table goes on listing a
 * stopped or cut node Online until PX marks it Offline (after a time no public source gives), and
 * such a stale "Online" must not read as PX being back (it would cancel the harness's pending pod
 * delete). Otherwise the node's state is `unknown`, which neither starts nor cancels anything
 * (portworx-detected-setup.ts PX_DOWN_EVENTS / PX_UP_EVENTS).
 */

/** What the other nodes' tables agree on for a node. */
export interface PxPeerView {
  readonly status: PxNodeStatus;
  /** The Status cell they print (`Online`, `Offline`). */
  readonly raw: string;
  readonly from: readonly string[];
  /**
   * They agreed on another status before and have agreed on this one since, with the node's own
   * pxctl unread meanwhile: they saw its state change. Reset whenever the node is read itself.
   */
  readonly changed: boolean;
}

export interface PxNodeView {
  readonly status: PxNodeStatus;
  /**
   * What the timeline shows: what PX on the node says of itself, with its peers' view where that
   * differs (PX stopped here, still `Online` in the others' tables); else what the peers say.
   */
  readonly said: string;
  /** The peers' last agreed view, carried to the next round (absent: they never agreed on one). */
  readonly peers?: PxPeerView;
}

/** One node's round: its own pxctl status head (undefined: not read) and its table rows by Kubernetes node. */
export interface PxNodeRound {
  readonly node: string;
  readonly own: PxLocalState | undefined;
  /** Its cluster-summary table, each row mapped to a Kubernetes node where one matches. */
  readonly rows: readonly { readonly k8s: string | undefined; readonly row: PxctlStatusNode }[];
}

const LOCAL_SAID: Record<PxLocalState, string> = {
  operational: 'PX is operational',
  'storage-down': 'PX storage down',
  'not-in-quorum': 'PX not in quorum',
  maintenance: 'PX in maintenance mode',
  'not-running': 'PX is not running on this host',
  unknown: 'PX status unknown',
};

/** What a node's own pxctl says: its first line, refined by its own table row while operational. */
function ownStatus(own: PxLocalState, self: PxctlStatusNode | undefined): PxNodeStatus {
  switch (own) {
    case 'operational':
      return self?.status ?? 'online';
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

type Seen = { readonly from: string; readonly row: PxctlStatusNode };

function seenSaid(seen: readonly Seen[]): string {
  const statuses = new Set(seen.map((s) => s.row.status));
  if (statuses.size === 1)
    return `${seen[0]!.row.rawStatus} (seen from ${seen.map((s) => s.from).join(', ')})`;
  return `its peers disagree (${seen.map((s) => `${s.from}: ${s.row.rawStatus}`).join(', ')})`;
}

/** Every node of the round, its state resolved as above against the round before. */
export function pxNodeViews(
  rounds: readonly PxNodeRound[],
  before: ReadonlyMap<string, PxNodeView> | undefined,
): Map<string, PxNodeView> {
  const views = new Map<string, PxNodeView>();
  for (const { node, own, rows } of rounds) {
    const seen: Seen[] = rounds
      .filter((r) => r.node !== node)
      .flatMap((r) => r.rows.filter((x) => x.k8s === node).map((x) => ({ from: r.node, row: x.row })));
    const agreed = seen.length > 0 && seen.every((s) => s.row.status === seen[0]!.row.status);
    const prev = before?.get(node)?.peers;
    const peers: PxPeerView | undefined = agreed
      ? {
          status: seen[0]!.row.status,
          raw: seen[0]!.row.rawStatus,
          from: seen.map((s) => s.from),
          changed:
            own === undefined && prev !== undefined && (prev.status !== seen[0]!.row.status || prev.changed),
        }
      : prev && { ...prev, changed: own === undefined && prev.changed };
    const peersSaid = seen.length > 0 ? seenSaid(seen) : 'no peer lists it';
    let view: Omit<PxNodeView, 'peers'>;
    if (own !== undefined) {
      const self = rows.find((x) => x.k8s === node)?.row;
      const status = ownStatus(own, self);
      // The peers' view only where it differs from the node's own (one that lags behind it).
      const differs = seen.some((s) => s.row.status !== status);
      view = { status, said: `${LOCAL_SAID[own]}${differs ? `; its peers: ${peersSaid}` : ''}` };
    } else if (agreed && peers?.changed) {
      view = { status: peers.status, said: `${peersSaid}; its own pxctl status not read` };
    } else {
      view = {
        status: 'unknown',
        said: `not known: its own pxctl status not read; ${peersSaid}${agreed ? ', not seen to change' : ''}`,
      };
    }
    views.set(node, { ...view, ...(peers && { peers }) });
  }
  return views;
}

import { enumName, field, isObject, optionalString, parseJson, requiredString } from './px-json-fields.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * PX nodes as the SDK (`StorageNode`: snake_case, camelCase, integer or named `status`) and legacy
 * REST on 9001 (`api.Node`: Go field names `Id`, `MgmtIp`, integer `Status`) encode them, and the
 * lookup from a volume's `attached_on` to one of them.
 */

/**
 * A node's state as a fault run asks it. `storage-down` is apart from `offline`: PX still serves
 * the node (it reports `Online (StorageDown)`) and Stork keeps its pods (SOURCES.md "Surprises" 4).
 */
export type PxNodeStatus = 'online' | 'storage-down' | 'offline' | 'maintenance' | 'unknown';

export interface PxNode {
  id: string;
  mgmtIp: string | undefined;
  dataIp: string | undefined;
  schedulerNodeName: string | undefined;
}

export interface PxNodeState extends PxNode {
  status: PxNodeStatus;
  /** The `Status` enum's name in lowercase, without `status_` (`ok`, `offline`, `pool_maintenance`). */
  rawStatus: string;
}

/** api.proto `Status`, by number. */
const STATUS_NAMES = [
  'none',
  'init',
  'ok',
  'offline',
  'error',
  'not_in_quorum',
  'decommission',
  'maintenance',
  'storage_down',
  'storage_degraded',
  'needs_reboot',
  'storage_rebalance',
  'storage_drive_replace',
  'not_in_quorum_no_storage',
  'poolmaintenance',
] as const;

/**
 * Only the states whose meaning is plain; the rest (init, error, not in quorum, degraded, …) are
 * `unknown` with `rawStatus` kept, rather than folded into `offline` as Stork does. A pool in
 * maintenance leaves the node up with its storage down, which is how Stork reads it too.
 */
function nodeStatus(raw: string): PxNodeStatus {
  switch (raw) {
    case 'ok':
      return 'online';
    case 'offline':
      return 'offline';
    case 'maintenance':
      return 'maintenance';
    case 'storage_down':
    case 'poolmaintenance':
      return 'storage-down';
    default:
      return 'unknown';
  }
}

/** One node object, bare or wrapped in an SDK inspect response (`{node: …}`). */
export function readPxNode(value: unknown): PxNodeState {
  const node = isObject(value) && isObject(value.node) ? value.node : value;
  if (!isObject(node)) throw new PxStateUnreadable('a PX node is not a JSON object');
  const id = requiredString(node, 'id', 'PX node');
  const what = `PX node ${id}`;
  const rawStatus = enumName(node, 'status', 'status_', STATUS_NAMES, what);
  if (rawStatus === undefined) throw new PxStateUnreadable(`${what}: no status`);
  return {
    id,
    mgmtIp: optionalString(node, 'mgmt_ip', what),
    dataIp: optionalString(node, 'data_ip', what),
    schedulerNodeName: optionalString(node, 'scheduler_node_name', what),
    status: nodeStatus(rawStatus),
    rawStatus,
  };
}

/**
 * The nodes of a cluster: a JSON array of nodes, `{nodes: […]}` (SDK enumerate), `{Nodes: […]}`
 * (legacy `/v1/cluster/enumerate`) or `{NodeMap: {<id>: node}}` (Go `api.Cluster`'s map).
 */
export function parsePxNodes(text: string): PxNodeState[] {
  const doc = parseJson(text, 'PX node output');
  if (Array.isArray(doc)) return doc.map(readPxNode);
  if (isObject(doc)) {
    const nodes = field(doc, 'nodes');
    if (Array.isArray(nodes)) return nodes.map(readPxNode);
    const map = field(doc, 'node_map');
    if (isObject(map)) return Object.values(map).map(readPxNode);
  }
  throw new PxStateUnreadable('PX node output holds no node list (nodes, Nodes or NodeMap)');
}

/**
 * The node a volume's `attached_on` names: by node id, else by management IP, else by data IP.
 * Throws when no node matches or when two do (an IP one node manages by and another carries data on):
 * the caller would otherwise fault the wrong machine.
 */
export function resolvePxNode<N extends PxNode>(attachedOn: string, nodes: readonly N[]): N {
  const byId = nodes.filter((n) => n.id === attachedOn);
  const byIp = byId.length > 0 ? byId : nodes.filter((n) => n.mgmtIp === attachedOn);
  const found = byIp.length > 0 ? byIp : nodes.filter((n) => n.dataIp === attachedOn);
  if (found.length === 1) return found[0]!;
  const known = nodes.map((n) => `${n.id} (${n.mgmtIp ?? '-'}/${n.dataIp ?? '-'})`).join(', ');
  throw new PxStateUnreadable(
    found.length === 0
      ? `attached_on ${attachedOn} is no known node's id or IP (nodes: ${known || 'none'})`
      : `attached_on ${attachedOn} matches ${found.length} nodes: ${found.map((n) => n.id).join(', ')}`,
  );
}

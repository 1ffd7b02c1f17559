import type { PxNodeStatus } from './px-node-state.js';
import { PxStateUnreadable } from './px-state-unreadable.js';
import { pxctlLines } from './pxctl-output.js';

/**
 * The cluster-summary node table of `pxctl status` text, PX 1.x to 4.0 (SOURCES.md "Fields a parser
 * must read" A, "Surprises" 5, 6). Columns drift (`SchedulerNodeName`, `Auth`, `StorageNode`,
 * `StorageStatus`, `Version`, `Kernel`, `OS` come and go); cells are split on tabs or runs of two or
 * more spaces, because the docs render the tabs as spaces and cells such as `Online (StorageDown)`
 * or `CentOS Linux 7 (Core)` hold single spaces. PX 1.0/1.1 printed `Node IP: … - Capacity: … Online`
 * lines instead of a table; those are read too.
 *
 * Cut output: the table is returned only when it is known to be whole, else this throws. Whole
 * means its rows number what the `Nodes:`/`Total Nodes:` line declares, or, in versions that print
 * no such line, that some line follows the table. A last row that is cut after its Status cell (the
 * recorded 1.3 output stops in the Version column) still counts: every field read here is present.
 */

export interface PxctlStatusNode {
  ip: string;
  /** Absent only in the 1.0/1.1 `Node IP: … - Capacity: …` lines, which name no id. */
  id: string | undefined;
  /** `SchedulerNodeName`; absent when the column is missing or says `N/A`. */
  schedulerNodeName: string | undefined;
  status: PxNodeStatus;
  /** The Status cell as printed: `Online`, `Online (StorageDown)`, `In Maintenance`. */
  rawStatus: string;
  /** The StorageStatus cell as printed (`Up`, `Some pools Full or Offline`), when the column exists. */
  storageStatus: string | undefined;
  /** The row carries `(This node)`: the node `pxctl status` ran on. */
  thisNode: boolean;
}

export interface PxctlClusterSummary {
  clusterId: string | undefined;
  /** What the `Nodes:`/`Total Nodes:` line declares, when the version prints it. */
  declared: { nodes: number; online: number | undefined } | undefined;
  nodes: PxctlStatusNode[];
}

const STATUS_CELL = /^(Online|Offline|In Maintenance|Maintenance)(?: \(([^)]+)\))?$/;
function cells(line: string): string[] {
  return line
    .trim()
    .split(/\t+| {2,}/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

function looksLikeIp(s: string | undefined): s is string {
  return s !== undefined && /^[0-9a-fA-F:.]+$/.test(s) && /[.:]/.test(s);
}

function nodeStatus(word: string, modifier: string | undefined): PxNodeStatus {
  if (word === 'Offline') return 'offline';
  if (word.endsWith('Maintenance')) return 'maintenance';
  if (modifier === undefined || modifier === 'This node') return 'online';
  return modifier === 'StorageDown' ? 'storage-down' : 'unknown';
}

function tableRow(line: string, columns: readonly string[]): PxctlStatusNode {
  const row = cells(line);
  const hasScheduler = columns.includes('SchedulerNodeName');
  const from = hasScheduler ? 3 : 2;
  const at = row.findIndex((c, i) => i >= from && STATUS_CELL.test(c));
  const match = at < 0 ? null : STATUS_CELL.exec(row[at]!);
  if (!match) throw new PxStateUnreadable(`pxctl status node row has no Status cell: "${line.trim()}"`);
  const scheduler = hasScheduler ? row[2] : undefined;
  return {
    ip: row[0]!,
    id: row[1],
    schedulerNodeName: scheduler === 'N/A' ? undefined : scheduler,
    status: nodeStatus(match[1]!, match[2]),
    rawStatus: match[0],
    storageStatus: columns.includes('StorageStatus') ? row[at + 1] : undefined,
    thisNode: line.includes('(This node)'),
  };
}

/** `Node IP: <ip> - Capacity: <used>/<cap> Online (This node)` or `… - Node ID: <id> In Maintenance`. */
function legacyRow(line: string): PxctlStatusNode {
  const ip = /Node IP:\s*(\S+)/.exec(line)?.[1];
  const status = /\s(Online|Offline|In Maintenance)(?: \(([^)]+)\))?\s*$/.exec(line);
  if (ip === undefined || !status)
    throw new PxStateUnreadable(`pxctl status node line has no IP or status: "${line.trim()}"`);
  return {
    ip,
    id: /Node ID:\s*(\S+)/.exec(line)?.[1],
    schedulerNodeName: undefined,
    status: nodeStatus(status[1]!, status[2]),
    rawStatus: status[0].trim(),
    storageStatus: undefined,
    thisNode: line.includes('(This node)'),
  };
}

/** `Nodes: 3 node(s) with storage (3 online)`, `Total Nodes: …`, `Nodes: 3 node(s) without storage`. */
function declaredCount(line: string): PxctlClusterSummary['declared'] {
  if (!/^(Total )?Nodes:/.test(line)) return undefined;
  let nodes = 0;
  let online: number | undefined;
  for (const m of line.matchAll(/(\d+) node\(s\) with(out)? storage(?: \((\d+) online\))?/g)) {
    nodes += Number(m[1]);
    if (m[3] !== undefined) online = (online ?? 0) + Number(m[3]);
  }
  return { nodes, online };
}

/** The cluster-summary node table; throws unless it is whole (see above). */
export function readPxctlStatusNodes(text: string): PxctlClusterSummary {
  const lines = pxctlLines(text);
  const start = lines.findIndex((l) => l.trim() === 'Cluster Summary');
  if (start < 0) throw new PxStateUnreadable('pxctl status has no "Cluster Summary" (output cut before it?)');
  let clusterId: string | undefined;
  let declared: PxctlClusterSummary['declared'];
  let columns: string[] | undefined;
  const nodes: PxctlStatusNode[] = [];
  let ended = false;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    const first = cells(line)[0];
    if (columns === undefined && nodes.length === 0 && /^Cluster ID:/.test(line))
      clusterId = line.replace(/^Cluster ID:\s*/, '') || undefined;
    else if (columns === undefined && nodes.length === 0 && declaredCount(line))
      declared = declaredCount(line);
    else if (columns === undefined && first === 'IP' && cells(line)[1] === 'ID') columns = cells(line);
    else if (columns !== undefined && looksLikeIp(first)) nodes.push(tableRow(raw, columns));
    else if (columns === undefined && line.startsWith('Node IP:')) nodes.push(legacyRow(line));
    else if (columns !== undefined || nodes.length > 0 || line === 'Global Storage Pool') {
      ended = true;
      break;
    }
  }
  if (columns === undefined && nodes.length === 0 && declared?.nodes !== 0)
    throw new PxStateUnreadable('pxctl status "Cluster Summary" has no node table (output cut?)');
  if (declared !== undefined && nodes.length !== declared.nodes)
    throw new PxStateUnreadable(
      `pxctl status node table has ${nodes.length} row(s) but its Nodes line declares ${declared.nodes} (output cut?)`,
    );
  if (declared === undefined && !ended)
    throw new PxStateUnreadable(
      `pxctl status ends inside "Cluster Summary" with ${nodes.length} node row(s) and no Nodes line: cannot tell the table is whole`,
    );
  return { clusterId, declared, nodes };
}

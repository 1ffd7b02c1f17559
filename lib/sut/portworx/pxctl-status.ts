import { pxctlLines } from './pxctl-output.js';
import { readPxctlStatusNodes, type PxctlClusterSummary } from './pxctl-status-nodes.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * `pxctl status` text, PX 1.x to 4.0 (SOURCES.md "Fields a parser must read" A). Its head (the
 * local node's state, id and IP) and its cluster-summary node table are read apart, because PX
 * output recorded from the field is often cut: a head can be read when the table is cut off, and a
 * node list is never returned from a cut table (pxctl-status-nodes.ts throws instead).
 */

/**
 * The first line, the state of PX on the node the command ran on:
 * - `Status: PX is operational` → operational
 * - `Status: PX storage down` → storage-down
 * - `Status: PX Cluster is not in quorum …` (continued on indented lines) → not-in-quorum
 * - `PX is in maintenance mode.  Use …` (no `Status:`) → maintenance
 * - `PX is not running on this host` (a `.` after `maintenance --enter`) → not-running
 * - any other `Status: …` line → unknown, with `message` as printed.
 */
export type PxLocalState =
  'operational' | 'storage-down' | 'not-in-quorum' | 'maintenance' | 'not-running' | 'unknown';

export interface PxctlStatusHead {
  state: PxLocalState;
  /** The status text without `Status: `; continuation lines joined with a space. */
  message: string;
  /** `Node ID:`; absent only when PX is not running (pxctl then prints nothing else). */
  nodeId: string | undefined;
  /** The `IP:` under `Node ID:`. */
  ip: string | undefined;
}

export interface PxctlStatus extends PxctlStatusHead {
  /** The cluster summary; absent only when PX is not running. */
  cluster: PxctlClusterSummary | undefined;
}

const STATUS_LINE = /^(Status: .*|PX is in maintenance mode\..*|PX is not running on this host\.?)$/;

function localState(message: string): PxLocalState {
  if (message.startsWith('PX is operational')) return 'operational';
  if (message.startsWith('PX storage down')) return 'storage-down';
  if (/not in quorum/i.test(message)) return 'not-in-quorum';
  if (message.startsWith('PX is in maintenance mode')) return 'maintenance';
  if (message.startsWith('PX is not running on this host')) return 'not-running';
  return 'unknown';
}

function indent(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

/** The head of `pxctl status`: local state, node id and IP. Shell prompts and logrus lines are skipped. */
export function readPxctlStatusHead(text: string): PxctlStatusHead {
  const lines = pxctlLines(text);
  const at = lines.findIndex((l) => STATUS_LINE.test(l.trim()));
  if (at < 0) throw new PxStateUnreadable('pxctl status has no status line (Status: …, PX is …)');
  const parts = [lines[at]!.trim().replace(/^Status:\s*/, '')];
  // Not in quorum continues on deeper-indented lines; the 2.2 docs indent every line by one tab.
  for (const next of lines.slice(at + 1)) {
    if (next.trim() === '' || indent(next) <= indent(lines[at]!)) break;
    parts.push(next.trim());
  }
  const message = parts.join(' ');
  const state = localState(message);
  if (state === 'not-running') return { state, message, nodeId: undefined, ip: undefined };
  const rest = lines.slice(at + 1).map((l) => l.trim());
  const idAt = rest.findIndex((l) => l.startsWith('Node ID:'));
  const nodeId = idAt < 0 ? undefined : /^Node ID:\s*(\S+)$/.exec(rest[idAt]!)?.[1];
  if (nodeId === undefined) throw new PxStateUnreadable(`pxctl status "${message}" has no Node ID line`);
  const ip = /^IP:\s*(\S+)$/.exec(rest[idAt + 1] ?? '')?.[1];
  if (ip === undefined) throw new PxStateUnreadable(`pxctl status has no IP line after Node ID ${nodeId}`);
  return { state, message, nodeId, ip };
}

/**
 * The whole of `pxctl status`: the head and the cluster summary. Throws when either cannot be read
 * whole; use `readPxctlStatusHead` alone when only the local state is needed.
 */
export function parsePxctlStatus(text: string): PxctlStatus {
  const head = readPxctlStatusHead(text);
  return { ...head, cluster: head.state === 'not-running' ? undefined : readPxctlStatusNodes(text) };
}

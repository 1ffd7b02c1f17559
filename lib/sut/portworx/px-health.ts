import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPodServing } from '../../k8s/ready-pod.js';
import { formatDuration } from '../../time/duration.js';
import { enumName, isObject } from './px-json-fields.js';
import { findPxctlJson } from './pxctl-output.js';
import { readPxctlStatusHead } from './pxctl-status.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * torpedo's "PX is up" (portworx.md "Reading PX state"), per node: the PX pod Ready and
 * `pxctl -j status` saying STATUS_OK. The SDK's own status (gRPC on 9020) is not asked: it needs a
 * port reachable from the harness, and the two checks here already need PX's API answering.
 */

export interface PxNodeHealth {
  readonly node: string;
  readonly up: boolean;
  /** What the node reports, as one phrase: `STATUS_OK`, `pod not Ready`, `PX storage down`, `could not read PX state: …`. */
  readonly says: string;
}

/** What `pxctl -j status` says of the node it ran on. */
export interface PxctlJsonStatus {
  readonly ok: boolean;
  readonly status: string;
}

/**
 * `pxctl -j status` stdout. Its JSON has a top-level `status` enum name (`STATUS_OK`; SOURCES.md §2
 * B: no full document is recorded anywhere, the shape comes from its consumers), with PX's own log
 * lines or a notice before or after it (pxctl-output.ts). When PX is down pxctl prints text instead
 * (`PX is not running on this host`, fixture pxctl-status-px-not-running-evidence.txt), and older
 * pxctl ignores `-j`: text is read with the `pxctl status` head parser, where only
 * `PX is operational` counts as up. Anything else throws PxStateUnreadable rather than guess.
 */
export function readPxctlJsonStatus(stdout: string): PxctlJsonStatus {
  const doc = findPxctlJson(stdout, 'pxctl -j status');
  if (doc === undefined) {
    const head = readPxctlStatusHead(stdout);
    return { ok: head.state === 'operational', status: head.message };
  }
  if (!isObject(doc)) throw new PxStateUnreadable('pxctl -j status is not a JSON object');
  // Only enum names are known at the top level; a number would be guessed against the wrong table.
  const status = enumName(doc, 'status', 'status_', [], 'pxctl -j status');
  if (status === undefined) throw new PxStateUnreadable('pxctl -j status has no status');
  return { ok: status === 'ok', status: `STATUS_${status.toUpperCase()}` };
}

/**
 * One node's health from what was found: its PX pod (undefined: none on the node) and what
 * `pxctl -j status` in it gave on stdout (an Error: the exec failed, or stdout was empty). The pod is judged first: a pod not
 * Ready is not asked.
 */
export function pxNodeHealth(
  node: string,
  pod: V1Pod | undefined,
  status: string | Error | undefined,
): PxNodeHealth {
  if (!pod) return { node, up: false, says: 'no PX pod' };
  if (!isPodServing(pod)) {
    const phase = pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'no phase');
    return { node, up: false, says: `pod ${pod.metadata?.name ?? '?'} ${phase}, not Ready` };
  }
  if (status === undefined) return { node, up: false, says: 'pxctl status not asked' };
  if (status instanceof Error) return { node, up: false, says: `pxctl -j status failed: ${status.message}` };
  try {
    const read = readPxctlJsonStatus(status);
    return { node, up: read.ok, says: read.status };
  } catch (err) {
    if (err instanceof PxStateUnreadable) return { node, up: false, says: err.message };
    throw err;
  }
}

/** `PX up on 1/3 nodes after 40 s; n2: pod px-abc Pending, not Ready; n3: PX storage down`. */
export function pxHealthLine(nodes: readonly PxNodeHealth[], elapsedMs: number): string {
  const up = nodes.filter((n) => n.up).length;
  const others = nodes.filter((n) => !n.up).map((n) => `${n.node}: ${n.says}`);
  return `PX up on ${up}/${nodes.length} nodes after ${formatDuration(elapsedMs)}${others.length ? `; ${others.join('; ')}` : ''}`;
}

/** PX did not come up within its budget: the message is the last poll's line. */
export class PxHealthTimeout extends Error {
  override name = 'PxHealthTimeout';
}

export interface PxHealthWaitOptions {
  /** torpedo's: 15 min. */
  readonly timeoutMs: number;
  /** torpedo's: 10 s. */
  readonly pollMs: number;
  readonly progress: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Polls `probe` (every expected node's health) until every node is up, printing one line per poll;
 * throws PxHealthTimeout with the last line when the budget is spent. An empty probe never counts
 * as up. A probe that throws (API server unreachable) ends the wait: that is not PX's state.
 */
export async function waitForPxHealth(
  probe: () => Promise<readonly PxNodeHealth[]>,
  options: PxHealthWaitOptions,
): Promise<readonly PxNodeHealth[]> {
  const started = performance.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const nodes = await probe();
    const elapsed = performance.now() - started;
    const line = pxHealthLine(nodes, elapsed);
    options.progress(line);
    if (nodes.length > 0 && nodes.every((n) => n.up)) return nodes;
    if (elapsed + options.pollMs > options.timeoutMs)
      throw new PxHealthTimeout(`PX not up within ${formatDuration(options.timeoutMs)}: ${line}`);
    await sleep(options.pollMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

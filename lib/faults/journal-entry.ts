import type { NodeAddress } from '../nodes/node-access.js';

/** The journal's line types (one JSON object per line in faults.jsonl). */

/** Written and fsynced BEFORE a fault touches the node: the record `pxchaos heal` works from. */
export interface JournalOpenEntry {
  readonly type: 'open';
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly node: string;
  readonly address: NodeAddress;
  readonly revert: readonly string[];
  /** Marker in the argv of the node-side auto-revert timer, to find or cancel it. */
  readonly timerMarker: string;
  readonly startedAt: string;
  /** When the node-side timer reverts the fault on its own. */
  readonly expiresAt: string;
  readonly pid: number;
  /** Start time of the owning process (Linux clock ticks), so a reused pid is not taken for the owner. */
  readonly pidStart?: string;
  readonly host: string;
}

export interface JournalCloseEntry {
  readonly type: 'close';
  readonly id: string;
  readonly closedAt: string;
  /** healed (by its owner), heal-command, inject-failed, node-gone */
  readonly how: string;
  readonly pid: number;
}

/** Acknowledges an unreadable line once it has been reported and dealt with, so it is reported once. */
export interface JournalNotedEntry {
  readonly type: 'noted';
  readonly line: number;
  readonly how: string;
  readonly at: string;
  readonly pid: number;
}

export type JournalEntry = JournalOpenEntry | JournalCloseEntry;

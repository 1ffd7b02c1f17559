import { ContainerGoneError } from '../nodes/docker-exec-node.js';
import { nodeFromAddress } from '../nodes/node-from-address.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { cancelAutoRevertTimer } from './auto-revert-timer.js';
import type { JournalOpenEntry } from './journal-entry.js';
import { ownerAlive, openWithoutClose, type FaultJournal } from './journal.js';
import { describeUnreadable, type UnreadableLine } from './journal-lines.js';

/** `unreadable`: a journal line heal cannot use (torn, or an entry missing a field); reported once. */
export type HealAction = 'healed' | 'node-gone' | 'skipped-owner-running' | 'failed' | 'unreadable';

export interface HealOutcome {
  readonly id: string;
  readonly kind: string;
  readonly node: string;
  readonly action: HealAction;
  readonly detail?: string;
}

export interface HealOpenFaultsOptions {
  /** Also heal faults whose owning harness process is still running (default false: it heals its own). */
  readonly includeRunning?: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Reverts every open journal entry on the node its address names, cancels its timer and closes it.
 * Idempotent: reverts are idempotent and closed entries are not revisited. Entries whose node could
 * not be reached stay open (reported as failed) so a later run retries. Nodes built by the default
 * resolver are closed here; nodes from a caller's resolver are the caller's.
 *
 * Unreadable journal lines (torn, or an entry missing a field such as its address) cannot be healed:
 * each is returned once as `unreadable`, naming the line and the fault when it names one, and is
 * then acknowledged in the journal (an entry with an id is closed as `unhealable`) so the next heal
 * does not fail on it again. The others are still healed.
 */
export async function healOpenFaults(
  journal: FaultJournal,
  resolveNode?: (entry: JournalOpenEntry) => NodeAccess | Promise<NodeAccess>,
  options: HealOpenFaultsOptions = {},
): Promise<HealOutcome[]> {
  const contents = await journal.read();
  const entries = openWithoutClose(contents.entries);
  const owned: NodeAccess[] = [];
  const resolve = async (entry: JournalOpenEntry): Promise<NodeAccess> => {
    if (resolveNode) return resolveNode(entry);
    const node = nodeFromAddress(entry.address, entry.node);
    owned.push(node);
    return node;
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const signal = options.signal && { signal: options.signal };
  try {
    const unreadable = await Promise.all(contents.unreadable.map((u) => acknowledge(journal, u)));
    const healed = await Promise.all(
      entries.map(async (entry): Promise<HealOutcome> => {
        const base = { id: entry.id, kind: entry.kind, node: entry.node };
        if (!options.includeRunning && entry.pid !== process.pid && ownerAlive(entry)) {
          return { ...base, action: 'skipped-owner-running', detail: `pid ${entry.pid} is still running it` };
        }
        try {
          const node = await resolve(entry);
          await node.exec(entry.revert, { timeoutMs, ...signal });
          await cancelAutoRevertTimer(node, entry.timerMarker, { ...signal });
          await journal.close(entry.id, 'heal-command');
          return { ...base, action: 'healed' };
        } catch (err) {
          if (err instanceof ContainerGoneError) {
            // The container is gone, and its network namespace and processes with it: nothing to revert.
            await journal.close(entry.id, 'node-gone');
            return { ...base, action: 'node-gone', detail: err.message };
          }
          return { ...base, action: 'failed', detail: (err as Error).message };
        }
      }),
    );
    return [...healed, ...unreadable];
  } finally {
    await Promise.allSettled(owned.map((n) => n.close()));
  }
}

async function acknowledge(journal: FaultJournal, u: UnreadableLine): Promise<HealOutcome> {
  if (u.id !== undefined) await journal.close(u.id, 'unhealable');
  await journal.note(u.line, 'reported-by-heal');
  return {
    id: u.id ?? `line ${u.line}`,
    kind: u.kind ?? 'unknown fault',
    node: u.node ?? 'an unknown node',
    action: 'unreadable',
    detail: `${describeUnreadable(u, journal.path)}; check that node by hand`,
  };
}

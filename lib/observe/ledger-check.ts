import { createHash } from 'node:crypto';
import type { WriteEvent } from './timeline-events.js';

/**
 * A short digest of one ledger row's content (run, id, client timestamp, payload): stored with the
 * write in the timeline and computed again from the row read back, so a row changed after it was
 * acknowledged is caught, not only a missing id.
 */
export function ledgerRowDigest(run: string, id: number, clientTs: Date, payload: string): string {
  return createHash('sha256')
    .update(`${run}|${id}|${clientTs.toISOString()}|${payload}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The write ledger's table as read after recovery: the raw evidence the checker needs, stored in
 * the timeline file so that the RPO verdict can be recomputed from it.
 */
export interface LedgerReadBack {
  readonly table: string;
  /** The ledger run whose rows were read (rows of other runs are ignored). */
  readonly run: string;
  /** When the read finished, on the timeline's clock (ms since scenario start). */
  readonly t: number;
  /** Endpoint that answered, "host:port" (the current primary). */
  readonly server: string;
  /** Ledger ids present in the table, as sorted inclusive ranges [first, last]. */
  readonly present: readonly (readonly [number, number])[];
  /** Ids present more than once (only possible if the key was not enforced). */
  readonly duplicates: readonly number[];
  /** Rows of this run, duplicates included. */
  readonly rows: number;
  /** [id, ledgerRowDigest of the row as read] per row; absent in timelines of older versions. */
  readonly contents?: readonly (readonly [number, string])[];
}

/** What the ledger's history plus the read-back say about durability (Jepsen's checker output). */
export interface LedgerCheck {
  /** Acknowledged writes missing from the table: the RPO. */
  readonly lostAcked: readonly number[];
  /** Acknowledged writes present but not as written (payload or timestamp changed): lost too. */
  readonly changedAcked: readonly number[];
  /** t of the first and last lost acknowledged write (send times), when any were lost. */
  readonly lostAckedFromT?: number;
  readonly lostAckedToT?: number;
  readonly unknownCommitted: readonly number[];
  readonly unknownNotCommitted: readonly number[];
  /** Writes classified as definitely failed that are in the table anyway: a misclassification or a lying SUT. */
  readonly failedCommitted: readonly number[];
  readonly duplicates: readonly number[];
  /** Ids in the table that no write of the history produced. */
  readonly unexpected: readonly number[];
}

export function toRanges(ids: Iterable<number>): [number, number][] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const id of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else ranges.push([id, id]);
  }
  return ranges;
}

export function fromRanges(ranges: readonly (readonly [number, number])[]): Set<number> {
  const ids = new Set<number>();
  for (const [first, last] of ranges) for (let id = first; id <= last; id++) ids.add(id);
  return ids;
}

/** Classifies every write of the history against the read-back. Pure. */
export function checkLedger(writes: readonly WriteEvent[], readBack: LedgerReadBack): LedgerCheck {
  const present = fromRanges(readBack.present);
  const digests = new Map<number, Set<string>>();
  for (const [id, digest] of readBack.contents ?? []) {
    const set = digests.get(id) ?? new Set<string>();
    set.add(digest);
    digests.set(id, set);
  }
  const changed: number[] = [];
  const lost: WriteEvent[] = [];
  const unknownCommitted: number[] = [];
  const unknownNotCommitted: number[] = [];
  const failedCommitted: number[] = [];
  const attempted = new Set<number>();
  for (const w of writes) {
    attempted.add(w.id);
    const found = present.has(w.id);
    if (w.outcome === 'acked' && !found) lost.push(w);
    else if (w.outcome === 'acked' && w.digest !== undefined && readBack.contents !== undefined) {
      if (!digests.get(w.id)?.has(w.digest)) changed.push(w.id);
    } else if (w.outcome === 'unknown') (found ? unknownCommitted : unknownNotCommitted).push(w.id);
    else if (w.outcome === 'failed' && found) failedCommitted.push(w.id);
  }
  lost.sort((a, b) => a.t - b.t);
  const unexpected = [...present].filter((id) => !attempted.has(id)).sort((a, b) => a - b);
  const first = lost[0];
  const last = lost[lost.length - 1];
  return {
    lostAcked: lost.map((w) => w.id).sort((a, b) => a - b),
    changedAcked: changed.sort((a, b) => a - b),
    ...(first && last ? { lostAckedFromT: first.t, lostAckedToT: last.t } : {}),
    unknownCommitted: unknownCommitted.sort((a, b) => a - b),
    unknownNotCommitted: unknownNotCommitted.sort((a, b) => a - b),
    failedCommitted: failedCommitted.sort((a, b) => a - b),
    duplicates: [...readBack.duplicates].sort((a, b) => a - b),
    unexpected,
  };
}

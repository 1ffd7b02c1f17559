import { z } from 'zod';
import type { JournalEntry } from './journal-entry.js';

/** A journal line that cannot be used as an entry: torn, not JSON, or an entry missing a field. */
export interface UnreadableLine {
  /** 1-based line number in the journal file (stable: the file is append-only). */
  readonly line: number;
  /** Why it cannot be used, for the user. */
  readonly reason: string;
  /** The fault id, when the line is an entry that names one (it can then be closed). */
  readonly id?: string;
  readonly kind?: string;
  readonly node?: string;
}

const addressSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('docker'), container: z.string().min(1) }),
  z.looseObject({
    kind: z.literal('ssh'),
    host: z.string().min(1),
    port: z.number(),
    user: z.string().min(1),
  }),
  z.looseObject({
    kind: z.literal('pod'),
    kubeconfig: z.string().min(1),
    node: z.string().min(1),
    namespace: z.string().min(1),
    image: z.string().min(1),
  }),
]);

// Only the fields heal needs are checked; extra fields are kept as written.
const openSchema = z.looseObject({
  type: z.literal('open'),
  id: z.string().min(1),
  kind: z.string(),
  node: z.string(),
  address: addressSchema,
  revert: z.array(z.string()).min(1),
  timerMarker: z.string().min(1),
  pid: z.number(),
  host: z.string(),
});
const closeSchema = z.looseObject({ type: z.literal('close'), id: z.string().min(1) });
const notedSchema = z.looseObject({ type: z.literal('noted'), line: z.number().int().positive() });

export interface ParsedJournal {
  readonly entries: JournalEntry[];
  /** Unreadable lines that no `noted` entry has acknowledged yet. */
  readonly unreadable: UnreadableLine[];
}

const snippet = (line: string): string => (line.length > 60 ? `${line.slice(0, 57)}...` : line);

/**
 * Parses the journal's JSON lines. Lines that are not a complete, valid entry are returned as
 * unreadable (with the fault id when they name one) instead of being dropped silently: a torn line
 * or an entry missing its address must be reported, not taken for "nothing to heal".
 */
export function parseJournal(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  const unreadable: UnreadableLine[] = [];
  const noted = new Set<number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      unreadable.push({ line, reason: `not a complete JSON entry (torn write?): ${snippet(raw)}` });
      return;
    }
    const type = (value as { type?: unknown } | null)?.type;
    const schema = type === 'open' ? openSchema : type === 'close' ? closeSchema : notedSchema;
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      if (parsed.data.type === 'noted') noted.add(parsed.data.line);
      // The entry exactly as written (the schema only checks what heal needs).
      else entries.push(value as JournalEntry);
      return;
    }
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(entry)'))];
    const named = value as { id?: unknown; kind?: unknown; node?: unknown };
    unreadable.push({
      line,
      reason: `${typeof type === 'string' ? `${type} entry` : 'entry'} with a missing or invalid ${fields.join(', ')}`,
      ...(typeof named.id === 'string' && named.id !== '' && { id: named.id }),
      ...(typeof named.kind === 'string' && { kind: named.kind }),
      ...(typeof named.node === 'string' && { node: named.node }),
    });
  });
  // A malformed entry whose fault was closed later (by a valid close) needs nothing any more.
  const closed = new Set(entries.filter((e) => e.type === 'close').map((e) => e.id));
  return {
    entries,
    unreadable: unreadable.filter((u) => !noted.has(u.line) && !(u.id !== undefined && closed.has(u.id))),
  };
}

/** One line naming an unreadable journal line, for heal, run and the leftover check. */
export function describeUnreadable(u: UnreadableLine, journalPath: string): string {
  const what = u.id ? ` (fault ${u.id}${u.kind ? `, ${u.kind}` : ''}${u.node ? ` on ${u.node}` : ''})` : '';
  return `${journalPath}:${u.line}: unreadable journal line${what}: ${u.reason}`;
}

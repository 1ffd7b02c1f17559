import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry, JournalNotedEntry, JournalOpenEntry } from './journal-entry.js';
import { parseJournal, type ParsedJournal } from './journal-lines.js';

export type NewOpenEntry = Omit<JournalOpenEntry, 'type' | 'startedAt' | 'pid' | 'pidStart' | 'host'> & {
  readonly startedAt?: string;
};

/** The state directory: PXCHAOS_STATE_DIR, else $XDG_STATE_HOME/pxchaos, else ~/.local/state/pxchaos. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PXCHAOS_STATE_DIR) return env.PXCHAOS_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'pxchaos');
  return join(homedir(), '.local', 'state', 'pxchaos');
}

/** Start time of a process from /proc (field 22 of stat), or undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parens: fields are counted after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Is the process that opened this entry (or holds a lock) still running (on this host)? */
export function ownerAlive(entry: Pick<JournalOpenEntry, 'host' | 'pid' | 'pidStart'>): boolean {
  if (entry.host !== hostname()) return false;
  try {
    process.kill(entry.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (entry.pidStart === undefined) return true;
  return processStartTime(entry.pid) === entry.pidStart;
}

/**
 * The fault journal: an append-only JSON-lines file. Each entry is one `write()` on a file opened
 * with O_APPEND and fsynced before the call returns, so two harness processes can append at once
 * without interleaving (appends of one small write are atomic on local filesystems) and an entry
 * survives a crash right after injection. Every append starts on a fresh line, so a torn last line
 * (crash mid-write) cannot swallow the next entry; torn or incomplete lines are reported by read().
 */
export class FaultJournal {
  readonly path: string;

  constructor(readonly dir: string = defaultStateDir()) {
    this.path = join(dir, 'faults.jsonl');
  }

  async open(entry: NewOpenEntry): Promise<JournalOpenEntry> {
    const pidStart = processStartTime(process.pid);
    const full: JournalOpenEntry = {
      type: 'open',
      ...entry,
      startedAt: entry.startedAt ?? new Date().toISOString(),
      pid: process.pid,
      ...(pidStart !== undefined && { pidStart }),
      host: hostname(),
    };
    await this.append(full);
    return full;
  }

  async close(id: string, how: string): Promise<void> {
    await this.append({ type: 'close', id, closedAt: new Date().toISOString(), how, pid: process.pid });
  }

  async entries(): Promise<JournalEntry[]> {
    return (await this.read()).entries;
  }

  /** The usable entries and the lines that could not be used (not yet acknowledged by note()). */
  async read(): Promise<ParsedJournal> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: [] };
      throw err;
    }
    return parseJournal(text);
  }

  /** Records that an unreadable line was reported and dealt with; read() stops listing it. */
  async note(line: number, how: string): Promise<void> {
    const entry: JournalNotedEntry = {
      type: 'noted',
      line,
      how,
      at: new Date().toISOString(),
      pid: process.pid,
    };
    await this.append(entry);
  }

  /** Open entries without a matching close, oldest first. */
  async openEntries(): Promise<JournalOpenEntry[]> {
    return openWithoutClose(await this.entries());
  }

  private async append(entry: JournalEntry | JournalNotedEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.path, 'a+', 0o600);
    try {
      // After a torn last line, start on a fresh line: still one write, so appends stay atomic.
      const fresh = (await endsMidLine(handle)) ? '\n' : '';
      await handle.write(`${fresh}${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Does the file end without a newline (a torn last line)? */
async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** The open entries of a journal that no close entry answers, in journal order. */
export function openWithoutClose(entries: readonly JournalEntry[]): JournalOpenEntry[] {
  const closed = new Set(entries.filter((e) => e.type === 'close').map((e) => e.id));
  const seen = new Set<string>();
  const open: JournalOpenEntry[] = [];
  for (const e of entries) {
    if (e.type !== 'open' || closed.has(e.id) || seen.has(e.id)) continue;
    seen.add(e.id);
    open.push(e);
  }
  return open;
}

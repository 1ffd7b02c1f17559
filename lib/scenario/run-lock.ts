import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../errors.js';
import { defaultStateDir, ownerAlive, processStartTime } from '../faults/journal.js';

/** Who holds a run lock: enough to name them and to tell a live holder from a dead one. */
export interface RunLockHolder {
  readonly pid: number;
  readonly pidStart?: string;
  readonly host: string;
  readonly startedAt: string;
  readonly what: string;
}

export interface RunLock {
  readonly file: string;
  /** Removes the lock if it is still ours; idempotent. */
  release(): void;
}

/**
 * One `pxchaos run` per lab (or cluster) at a time: two runs faulting the same primary give a false
 * green. The lock is a file created with O_EXCL in the state directory; a second run refuses at once
 * (exit 3) naming the holder. A lock whose holder died (kill -9) is taken over with a notice.
 */
export async function acquireRunLock(
  key: string,
  options: { readonly dir?: string; readonly say?: (line: string) => void; readonly what?: string } = {},
): Promise<RunLock> {
  const file = lockFile(key, options.dir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const pidStart = processStartTime(process.pid);
  const mine: RunLockHolder = {
    pid: process.pid,
    ...(pidStart !== undefined && { pidStart }),
    host: hostname(),
    startedAt: new Date().toISOString(),
    what: options.what ?? `pxchaos run on ${key}`,
  };
  const text = `${JSON.stringify(mine)}\n`;
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = await readHolder(file);
    if (holder && ownerAlive(holder)) throw busy(key, holder, file);
    options.say?.(
      holder
        ? `taking over the run lock of ${key} left by pid ${holder.pid} (started ${holder.startedAt}), which is no longer running`
        : `taking over an unreadable run lock of ${key} (${file})`,
    );
    // Replace atomically; if another run took it over at the same moment, only one keeps it.
    await writeFile(`${file}.${process.pid}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.${process.pid}.tmp`, file);
    const now = await readHolder(file);
    if (now?.pid !== process.pid || now.host !== mine.host) throw busy(key, now ?? holder ?? mine, file);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as RunLockHolder;
      if (now.pid === process.pid && now.host === mine.host) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // Also on process.exit() from the signal handler: the lock must not outlive this process.
  process.on('exit', release);
  return { file, release };
}

function lockFile(key: string, dir = defaultStateDir()): string {
  return path.join(dir, 'locks', `run-${key.replace(/[^A-Za-z0-9_.-]+/g, '-')}.lock`);
}

/** The live holder of `key`'s run lock, if any (a dead holder's lock counts as free). */
export async function liveRunLockHolder(
  key: string,
  dir?: string,
): Promise<{ readonly holder: RunLockHolder; readonly file: string } | undefined> {
  const file = lockFile(key, dir);
  const holder = await readHolder(file);
  return holder && ownerAlive(holder) ? { holder, file } : undefined;
}

/**
 * A command that would disturb a run in progress (`inject` faulting its SUT, `lab down` removing
 * it) refuses while a live run holds the target: exit 3 naming the run. Without this, a fault by
 * hand during a suite was accepted and the suite still reported PASS.
 */
export async function refuseWhileRunHolds(
  key: string,
  doing: string,
  options: { readonly dir?: string; readonly override?: string } = {},
): Promise<void> {
  const held = await liveRunLockHolder(key, options.dir);
  if (!held) return;
  const { holder, file } = held;
  throw new EnvironmentError(
    `${doing} refused: ${key} is in use by ${holder.what} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}; lock ${file}); ` +
      `wait for it to finish or stop it (kill -INT ${holder.pid})${options.override ? `, or ${options.override}` : ''}`,
  );
}

async function readHolder(file: string): Promise<RunLockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<RunLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return value as RunLockHolder;
  } catch {
    return undefined;
  }
}

function busy(key: string, holder: RunLockHolder, file: string): EnvironmentError {
  return new EnvironmentError(
    `${key} is in use by ${holder.what}: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} (lock ${file}); one run per lab at a time`,
  );
}

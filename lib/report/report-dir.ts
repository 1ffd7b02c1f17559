import { constants } from 'node:fs';
import { access, lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Creates the report directory and proves it is writable (a probe file), before a run touches the
 * cluster: a report that cannot be written must fail in a second, not after the chaos. Missing
 * parents are made one at a time (not `mkdir -p`, which loops forever under /proc on Node 20).
 * `files` (names inside the directory) are every file the run will write: each must be absent or
 * a writable regular file — a `junit.xml` that is a directory once let a whole suite run and end in
 * EISDIR with no report. Any problem is one UsageError line (exit 2).
 */
export async function prepareReportDir(dir: string, files: readonly string[] = []): Promise<void> {
  const absolute = path.resolve(dir);
  const fail = (why: string): never => {
    throw new UsageError(`report directory ${absolute}: ${why}`);
  };
  const missing: string[] = [];
  for (let at = absolute; ; at = path.dirname(at)) {
    const info = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      return fail(`cannot inspect ${at} (${err.code ?? err.message})`);
    });
    if (info?.isDirectory()) break;
    if (info) fail(`${at} is not a directory`);
    if (path.dirname(at) === at) fail('no existing parent directory');
    missing.unshift(at);
  }
  for (const part of missing) {
    await mkdir(part).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') fail(`cannot create ${part} (${err.code ?? err.message})`);
    });
  }
  const probe = path.join(absolute, `.pxchaos-write-probe-${process.pid}`);
  try {
    await writeFile(probe, 'probe\n');
  } catch (err) {
    fail(`not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  await rm(probe, { force: true });
  for (const name of files) await checkWritableFile(path.join(absolute, name), fail);
}

/**
 * A file the command will write once its work is done (`report compare --html`), checked before
 * it starts: its directory exists and takes a file (a probe), and the file is absent or a writable
 * regular file. Any problem is one UsageError line (exit 2) naming the flag.
 */
export async function prepareOutputFile(file: string, flag: string): Promise<void> {
  const absolute = path.resolve(file);
  const dir = path.dirname(absolute);
  const fail = (why: string): never => {
    throw new UsageError(`${flag} ${absolute}: ${why}`);
  };
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) fail(`${dir} is not an existing directory`);
  const probe = path.join(dir, `.pxchaos-write-probe-${process.pid}`);
  await writeFile(probe, 'probe\n').catch((err: NodeJS.ErrnoException) =>
    fail(`${dir} is not writable (${err.code ?? err.message})`),
  );
  await rm(probe, { force: true });
  await checkWritableFile(absolute, fail);
}

/** Absent, or a regular file this process may overwrite (a symlink is followed, as writeFile would). */
async function checkWritableFile(file: string, fail: (why: string) => never): Promise<void> {
  const link = await lstat(file).catch(() => undefined);
  if (!link) return;
  const info = await stat(file).catch(() => undefined);
  if (!info) fail(`${path.basename(file)} is a dangling link; remove it`);
  if (!info.isFile()) fail(`${path.basename(file)} is not a regular file (${kindOf(info)}); remove it`);
  await access(file, constants.W_OK).catch((err: NodeJS.ErrnoException) =>
    fail(`${path.basename(file)} is not writable (${err.code ?? err.message})`),
  );
}

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device or other special file';
}

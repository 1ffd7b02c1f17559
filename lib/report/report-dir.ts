import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Creates the report directory and proves it is writable (a probe file), before a run touches the
 * cluster: a report that cannot be written must fail in a second, not after the chaos. Missing
 * parents are made one at a time (not `mkdir -p`, which loops forever under /proc on Node 20).
 * Any problem is one UsageError line (exit 2).
 */
export async function prepareReportDir(dir: string): Promise<void> {
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
}

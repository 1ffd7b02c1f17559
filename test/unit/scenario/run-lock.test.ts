import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EnvironmentError } from '../../../lib/errors.js';
import { acquireRunLock } from '../../../lib/scenario/run-lock.js';

describe('run lock: one run per lab', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-lock-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses a second run at once with exit 3 naming the holder', async () => {
    const first = await acquireRunLock('lab h13', { dir });
    const err = await acquireRunLock('lab h13', { dir }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).to.equal(3);
    expect((err as Error).message).to.match(
      new RegExp(`in use by .*pid ${process.pid} on .*started 20\\d\\d-`),
    );
    const other = await acquireRunLock('lab other', { dir }); // another lab is not blocked
    other.release();
    first.release();
    first.release();
    expect(existsSync(first.file)).to.equal(false);
    (await acquireRunLock('lab h13', { dir })).release();
  });

  it('takes over a lock left by a dead process, with a notice', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await mkdir(path.join(dir, 'locks'), { recursive: true });
    const file = path.join(dir, 'locks', 'run-lab-h13.lock');
    await writeFile(
      file,
      JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', what: 'x' }),
    );
    const notices: string[] = [];
    const lock = await acquireRunLock('lab h13', { dir, say: (l) => notices.push(l) });
    expect(notices).to.have.length(1);
    expect(notices[0]).to.match(new RegExp(`left by pid ${dead} \\(started 2026-01-01T00:00:00.000Z\\)`));
    lock.release();
    expect(await readdir(path.join(dir, 'locks'))).to.deep.equal([]);
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { docker, dockerOk } from '../docker/docker-cli.js';

export const UPSTREAM_BASE = 'debian:bookworm-slim';
export const LOCAL_BASE = 'pxchaos/bookworm-base:local';

const imageExists = async (ref: string): Promise<boolean> =>
  (await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 15_000 })).exitCode === 0;

/**
 * The base image for the lab: PXCHAOS_BASE_IMAGE if set, else debian:bookworm-slim if present or
 * pullable, else a bookworm minbase built here with debootstrap and imported (machines without a
 * reachable registry; ~40 s once).
 */
export async function ensureBaseImage(progress: (line: string) => void = () => undefined): Promise<string> {
  const override = process.env.PXCHAOS_BASE_IMAGE;
  if (override) {
    if (!(await imageExists(override)))
      throw new EnvironmentError(`PXCHAOS_BASE_IMAGE=${override}: no such local image`);
    return override;
  }
  if (await imageExists(UPSTREAM_BASE)) return UPSTREAM_BASE;
  if (await imageExists(LOCAL_BASE)) return LOCAL_BASE;
  progress(`pulling ${UPSTREAM_BASE}`);
  const pull = await docker(['pull', UPSTREAM_BASE], { timeoutMs: 60_000 }).catch(() => undefined);
  if (pull?.exitCode === 0) return UPSTREAM_BASE;
  progress(`no registry: building ${LOCAL_BASE} from Debian packages with debootstrap`);
  await debootstrapBase(progress);
  return LOCAL_BASE;
}

async function debootstrapBase(progress: (line: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pxchaos-base-'));
  try {
    await run('debootstrap', ['--variant=minbase', 'bookworm', dir], progress, 900_000);
    await run(
      'sh',
      ['-c', 'tar -C "$1" -c . | docker import - "$2"', 'sh', dir, LOCAL_BASE],
      progress,
      300_000,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await dockerOk(['image', 'inspect', LOCAL_BASE], { timeoutMs: 15_000 });
}

function run(
  cmd: string,
  args: string[],
  progress: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (d: Buffer): void => {
      const lines = d
        .toString()
        .split('\n')
        .filter((l) => l.trim());
      last = lines.at(-1) ?? last;
      if (lines.length) progress(`${cmd}: ${last}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new EnvironmentError(
              `${cmd} not found: install it (apt-get install ${cmd}) or set PXCHAOS_BASE_IMAGE`,
            )
          : err,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new EnvironmentError(`${cmd} failed (exit ${code}): ${last}`));
    });
  });
}

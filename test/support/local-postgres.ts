import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgEndpoint } from '../../lib/sut/sut.js';

const run = promisify(execFile);
const BIN = process.env.PXCHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

/**
 * A real PostgreSQL 15 server for tests: a temp data dir owned by the postgres OS user (initdb
 * refuses root), 127.0.0.1 on a free port, scram-sha-256 password auth. Faults: immediate stop,
 * start, and pause/resume (SIGSTOP/SIGCONT of the postmaster and every backend: a TCP black hole,
 * since the kernel still completes handshakes but nothing ever answers).
 */
export class LocalPostgres {
  private paused = false;

  private constructor(
    readonly dir: string,
    readonly endpoint: PgEndpoint,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  static async start(
    options: { readonly settings?: Readonly<Record<string, string>> } = {},
  ): Promise<LocalPostgres> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pxchaos-pg-'));
    // As root the server runs as the postgres OS user; otherwise as whoever runs the tests.
    const owner = isRoot() ? await osUser() : undefined;
    if (owner) await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
    const password = randomBytes(12).toString('hex');
    const pwfile = path.join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) await chown(pwfile, owner.uid, owner.gid);
    const port = await freePort();
    const pg = new LocalPostgres(dir, {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
    });
    try {
      await asPostgres(
        [
          `${BIN}/initdb`,
          '-D',
          pg.dataDir,
          '-U',
          'postgres',
          '--auth=scram-sha-256',
          `--pwfile=${pwfile}`,
          '--no-sync',
        ],
        120_000,
      );
      await rm(pwfile);
      const settings: Record<string, string> = {
        listen_addresses: "'127.0.0.1'",
        port: String(port),
        unix_socket_directories: `'${dir}'`,
        max_connections: '100',
        log_min_messages: 'warning',
        ...options.settings,
      };
      await appendFile(
        path.join(pg.dataDir, 'postgresql.conf'),
        Object.entries(settings)
          .map(([k, v]) => `${k} = ${v}\n`)
          .join(''),
      );
      await pg.startServer();
      return pg;
    } catch (err) {
      await pg.destroy();
      throw err;
    }
  }

  /** pg_ctl start, waiting until it accepts connections. */
  async startServer(): Promise<void> {
    await asPostgres(
      [
        `${BIN}/pg_ctl`,
        '-D',
        this.dataDir,
        '-l',
        path.join(this.dir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ],
      70_000,
    );
  }

  /** pg_ctl stop -m immediate: no shutdown checkpoint, backends killed (crash recovery at next start). */
  async stopServer(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    if (this.paused) await this.resume();
    await asPostgres([`${BIN}/pg_ctl`, '-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop'], 70_000);
  }

  async postmasterPid(): Promise<number> {
    const text = await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8');
    return Number(text.split('\n')[0]);
  }

  /** The postmaster first (so it forks nothing new), then every child. */
  async pause(): Promise<void> {
    const pid = await this.postmasterPid();
    process.kill(pid, 'SIGSTOP');
    this.paused = true;
    for (const child of await childPids(pid)) {
      try {
        process.kill(child, 'SIGSTOP');
      } catch {
        // exited meanwhile
      }
    }
  }

  async resume(): Promise<void> {
    const pid = await this.postmasterPid();
    for (const child of await childPids(pid)) {
      try {
        process.kill(child, 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
    process.kill(pid, 'SIGCONT');
    this.paused = false;
  }

  /** Stops the server (if running) and removes the data dir. Never throws. */
  async destroy(): Promise<void> {
    try {
      if (this.paused) await this.resume();
      await asPostgres(
        [`${BIN}/pg_ctl`, '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'],
        40_000,
      );
    } catch {
      // not running
    }
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  serverLog(): Promise<string> {
    return readFile(path.join(this.dir, 'server.log'), 'utf8').catch(() => '');
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function osUser(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', OS_USER]);
  const { stdout: gid } = await run('id', ['-g', OS_USER]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function asPostgres(argv: readonly string[], timeoutMs: number): Promise<void> {
  const [file, ...args] = isRoot() ? ['runuser', '-u', OS_USER, '--', ...argv] : argv;
  try {
    await run(file ?? '', args, { timeout: timeoutMs, cwd: '/' });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `${argv.slice(0, 2).join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

async function childPids(pid: number): Promise<number[]> {
  try {
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]);
    return stdout
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

import { spawn } from 'node:child_process';
import pg from 'pg';
import type { NodeAccess } from '../nodes/node-access.js';
import type { PgEndpoint } from '../sut/sut.js';
import { formatDuration } from '../time/duration.js';
import { describeEndpoint } from './pg-connect.js';
import { readQuery } from './read-query.js';

/** pgbench -i -s N creates exactly this many rows in pgbench_accounts. */
export const ROWS_PER_SCALE = 100_000;

export interface PgbenchLoadOptions {
  /** Run pgbench on this node (argv via NodeAccess) instead of the harness host. The endpoint must then be reachable from the node. */
  readonly runOn?: NodeAccess;
  readonly signal?: AbortSignal;
  /** Deadline for the whole load. Default 60 s + 10 s per scale unit. */
  readonly timeoutMs?: number;
  /** Progress lines ("pgbench -i: 40% (400000 of 1000000 rows)"); default: stderr, at most every 2 s. */
  readonly onProgress?: (line: string) => void;
}

export interface PgbenchLoad {
  readonly scale: number;
  /** Rows counted in pgbench_accounts afterwards (= 100000 × scale, or the load throws). */
  readonly rows: number;
  readonly durationMs: number;
  readonly ranOn: string;
}

function pgbenchArgs(endpoint: PgEndpoint, scale: number): string[] {
  return [
    '-i',
    '-s',
    String(scale),
    '-h',
    endpoint.host,
    '-p',
    String(endpoint.port),
    '-U',
    endpoint.user,
    endpoint.database,
  ];
}

/** Throttled progress printer for the default onProgress. */
function stderrProgress(): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = performance.now();
    if (now - last < 2000 && !/done|failed/i.test(line)) return;
    last = now;
    process.stderr.write(`${line}\n`);
  };
}

const PROGRESS = /^(\d+) of (\d+) tuples \((\d+)%\) done/;

/**
 * Initializes the pgbench dataset at the given scale, then counts pgbench_accounts and throws unless
 * it holds exactly 100000 × scale rows. The password goes through PGPASSWORD (host) or stdin
 * (node), never argv.
 */
export async function loadPgbench(
  endpoint: PgEndpoint,
  scale: number,
  options: PgbenchLoadOptions = {},
): Promise<PgbenchLoad> {
  if (!Number.isInteger(scale) || scale < 1)
    throw new RangeError(`pgbench scale must be a positive integer, got ${scale}`);
  const { runOn, signal, timeoutMs = 60_000 + 10_000 * scale } = options;
  const onProgress = options.onProgress ?? stderrProgress();
  const started = performance.now();
  const where = runOn ? `node ${runOn.name}` : 'harness host';
  onProgress(`pgbench -i -s ${scale} on ${where} → ${describeEndpoint(endpoint)}`);
  if (runOn) {
    // The password arrives on stdin; "$@" keeps the remaining argv as separate words (no shell parsing).
    await runOn.exec(
      [
        'sh',
        '-c',
        'IFS= read -r PGPASSWORD && export PGPASSWORD && exec pgbench "$@"',
        'pgbench',
        ...pgbenchArgs(endpoint, scale),
      ],
      { stdin: `${endpoint.password}\n`, timeoutMs, ...(signal ? { signal } : {}) },
    );
  } else {
    await runPgbenchHere(endpoint, scale, timeoutMs, onProgress, signal);
  }
  const rows = await countRows(endpoint, 'pgbench_accounts', signal ? { signal } : {});
  const expected = ROWS_PER_SCALE * scale;
  if (rows !== expected)
    throw new Error(`pgbench -i -s ${scale}: expected ${expected} rows in pgbench_accounts, found ${rows}`);
  const durationMs = performance.now() - started;
  onProgress(`pgbench -i -s ${scale} done: ${rows} rows in ${formatDuration(durationMs)}`);
  return { scale, rows, durationMs, ranOn: where };
}

function runPgbenchHere(
  endpoint: PgEndpoint,
  scale: number,
  timeoutMs: number,
  onProgress: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', pgbenchArgs(endpoint, scale), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PGPASSWORD: endpoint.password,
        PGAPPNAME: 'pxchaos-pgbench',
        PGCONNECT_TIMEOUT: '10',
      },
    });
    let tail: string[] = [];
    let partial = '';
    let stopped: string | undefined;
    const onOutput = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split(/[\r\n]/);
      partial = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        tail = [...tail.slice(-4), line];
        const m = PROGRESS.exec(line);
        if (m) onProgress(`pgbench -i: ${m[3]}% (${m[1]} of ${m[2]} rows)`);
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const stop = (why: string): void => {
      stopped ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => stop(`did not finish within ${formatDuration(timeoutMs)}`), timeoutMs);
    const onAbort = (): void => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    child.once('error', (err) => finish(new Error(`pgbench could not run: ${err.message}`, { cause: err })));
    child.once('close', (code, sig) => {
      if (stopped === 'aborted' && signal)
        return finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (stopped) return finish(new Error(`pgbench -i -s ${scale} ${stopped}`));
      if (code === 0) return finish();
      finish(new Error(`pgbench -i -s ${scale} exited ${code ?? sig}: ${tail.join(' | ')}`));
    });
  });
}

export interface CountRowsOptions {
  readonly signal?: AbortSignal;
  /** Per-attempt deadline (connect + query). Default 30 s. */
  readonly timeoutMs?: number;
  /** Extra attempts after a connection-level error (a failover in progress). Default 2. */
  readonly retries?: number;
}

/** count(*) of a table, with deadlines; `table` may be schema-qualified ("public.pgbench_accounts"). */
export async function countRows(
  endpoint: PgEndpoint,
  table: string,
  options: CountRowsOptions = {},
): Promise<number> {
  const { signal, timeoutMs = 30_000, retries = 2 } = options;
  const name = table
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
  const rows = await readQuery<{ n: string }>(endpoint, `SELECT count(*)::text AS n FROM ${name}`, [], {
    applicationName: 'pxchaos-count',
    timeoutMs,
    retries,
    ...(signal && { signal }),
  });
  return Number(rows[0]?.n ?? Number.NaN);
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../k8s/kube-client.js';
import { execInPod, podLabel, type PodRef } from '../../k8s/pod-exec.js';
import { formatDuration } from '../../time/duration.js';
import { expectedAccountRows, pgbenchInitArgv } from './pgbench-init.js';
import { psqlInPod } from './pod-sql.js';

/** pgbench -i failed, or left another number of rows than its scale says. */
export class PgbenchLoadError extends Error {
  override name = 'PgbenchLoadError';
}

export interface PgbenchLoadOptions {
  /** Deadline of `pgbench -i` (default 120 s + 60 s per scale unit: Gluster on 2 cores is slow). */
  readonly timeoutMs?: number;
  /** Deadline of the CHECKPOINT that follows the load (default 180 s). */
  readonly checkpointTimeoutMs?: number;
  /** How often to report progress (default 5 s). */
  readonly progressEveryMs?: number;
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface PgbenchLoaded {
  readonly scale: number;
  /** select count(*) from pgbench_accounts, after the load. */
  readonly rows: number;
  /** pgbench -i, the count and the checkpoint. */
  readonly durationMs: number;
  /** The CHECKPOINT after the load (part of durationMs). */
  readonly checkpointMs: number;
  /** pgbench's own last line: "done in 41.23 s (drop tables 0.00 s, create tables ..., ...)". */
  readonly summary: string;
}

/**
 * What the server is doing for `pgbench -i`, from its progress views (Postgres 14+): the COPY into
 * pgbench_accounts with its row count, then the VACUUM, then the primary keys.
 */
export const PGBENCH_PROGRESS_SQL = `select coalesce(
  (select 'copying pgbench_accounts: ' || tuples_processed || ' rows' from pg_stat_progress_copy
     where relid::regclass::text = 'pgbench_accounts' limit 1),
  (select 'vacuum ' || relid::regclass::text || ': ' || phase from pg_stat_progress_vacuum limit 1),
  (select 'primary key on ' || relid::regclass::text || ': ' || phase from pg_stat_progress_create_index limit 1),
  'between steps')`;

/** select count(*) from pgbench_accounts, by psql in the pod. */
export async function countAccountRows(
  client: KubeClient,
  pod: PodRef,
  options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<number> {
  const out = await psqlInPod(client, pod, 'select count(*) from pgbench_accounts', {
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.signal && { signal: options.signal }),
  });
  const rows = Number(out);
  if (!Number.isInteger(rows)) throw new PgbenchLoadError(`${podLabel(pod)}: count(*) answered '${out}'`);
  return rows;
}

/**
 * `pgbench -i -s <scale>` by exec in the Postgres container (over the Unix socket), with a
 * progress line every few seconds from the server's progress views, then the row count, which
 * must be scale x 100,000, then a CHECKPOINT so that later crash recoveries do not replay the load.
 */
export async function loadPgbench(
  client: KubeClient,
  pod: PodRef,
  scale: number,
  options: PgbenchLoadOptions = {},
): Promise<PgbenchLoaded> {
  const expected = expectedAccountRows(scale);
  const progress = options.progress ?? ((): void => undefined);
  const timeoutMs = options.timeoutMs ?? 120_000 + 60_000 * scale;
  const started = performance.now();
  const finished = new AbortController();
  const reporter = (async () => {
    const every = options.progressEveryMs ?? 5_000;
    for (;;) {
      // Not a wait for a condition: a periodic look while the exec below runs.
      const stop = await sleep(every, false, { signal: finished.signal }).catch(() => true);
      if (stop) return;
      const state = await psqlInPod(client, pod, PGBENCH_PROGRESS_SQL, { timeoutMs: 4_000 }).catch(
        (err: unknown) => `(progress unreadable: ${(err as Error).message})`,
      );
      if (!finished.signal.aborted)
        progress(
          `pgbench -i -s ${scale}: ${formatDuration(performance.now() - started)}: ${state.replace(/^copying pgbench_accounts: (\d+) rows$/, (_, n: string) => `${Number(n).toLocaleString('en')}/${expected.toLocaleString('en')} rows copied`)}`,
        );
    }
  })();
  progress(`pgbench -i -s ${scale} in ${podLabel(pod)}: ${expected.toLocaleString('en')} rows to load`);
  let result;
  try {
    result = await execInPod(client, pod, pgbenchInitArgv(scale), {
      timeoutMs,
      ...(options.signal && { signal: options.signal }),
    });
  } finally {
    finished.abort();
    await reporter;
  }
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim());
  if (result.exitCode !== 0)
    throw new PgbenchLoadError(
      `${podLabel(pod)}: pgbench -i -s ${scale} exited ${result.exitCode}: ${lines.filter(Boolean).slice(-5).join(' | ')}`,
    );
  const summary = lines.filter((l) => l.startsWith('done in')).pop() ?? '';
  const rows = await countAccountRows(client, pod, options.signal ? { signal: options.signal } : {});
  if (rows !== expected)
    throw new PgbenchLoadError(
      `${podLabel(pod)}: pgbench -i -s ${scale} left ${rows} rows in pgbench_accounts, expected ${expected}`,
    );
  // Without it the load's WAL (~130 MB at scale 10) is still to be replayed by the next crash
  // recovery: measured on the kube lab, a pod rescheduled after a force delete then spends ~60 s
  // of its ~95 s to Ready on redo and the end-of-recovery checkpoint, and a fault scenario would
  // measure the data load instead of the failover.
  const checkpointStarted = performance.now();
  await psqlInPod(client, pod, 'CHECKPOINT', {
    timeoutMs: options.checkpointTimeoutMs ?? 180_000,
    ...(options.signal && { signal: options.signal }),
  });
  const checkpointMs = performance.now() - checkpointStarted;
  const durationMs = performance.now() - started;
  progress(
    `pgbench -i -s ${scale}: ${rows.toLocaleString('en')} rows in ${formatDuration(durationMs)}, checkpoint ${formatDuration(checkpointMs)}${summary ? ` (pgbench: ${summary})` : ''}`,
  );
  return { scale, rows, durationMs, checkpointMs, summary };
}

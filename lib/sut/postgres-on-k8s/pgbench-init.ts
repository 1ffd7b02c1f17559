import { POSTGRES_USER, SOCKET_DIR } from './postgres-k8s-settings.js';

/** pgbench's own constant: `pgbench -i -s N` writes N × 100,000 rows to pgbench_accounts. */
export const ACCOUNTS_PER_SCALE = 100_000;

export function expectedAccountRows(scale: number): number {
  if (!Number.isInteger(scale) || scale < 1)
    throw new Error(`pgbench scale must be a whole number ≥ 1 (got ${scale})`);
  return scale * ACCOUNTS_PER_SCALE;
}

/**
 * argv run by exec in the Postgres container: initialise the pgbench tables at `scale`. Over the
 * Unix socket, where both images trust local connections, so no password is needed; `-q` logs
 * every 5 s instead of every 100,000 rows.
 */
export function pgbenchInitArgv(scale: number, database = 'postgres'): string[] {
  expectedAccountRows(scale);
  return ['pgbench', '-i', '-q', '-s', String(scale), '-h', SOCKET_DIR, '-U', POSTGRES_USER, database];
}

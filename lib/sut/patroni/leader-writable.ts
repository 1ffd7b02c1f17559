import type { PgEndpoint } from '../sut.js';
import { pgWriteProblem } from '../../workload/pg-write-problem.js';

/** The Patroni leader's Postgres accepts writes (undefined), or a one-line problem naming the leader. */
export async function leaderWriteProblem(
  leader: string,
  endpoint: PgEndpoint,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const p = await pgWriteProblem(endpoint, { ...(signal && { signal }) });
  if (!p) return undefined;
  return 'readOnly' in p
    ? `leader ${leader}: Postgres is read-only (in recovery)`
    : `leader ${leader}: Postgres not answering (${p.error})`;
}

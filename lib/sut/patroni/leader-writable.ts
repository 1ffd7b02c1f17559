import type { PgEndpoint } from '../sut.js';
import { closeClient, connectPg, discardClient } from '../../workload/pg-connect.js';

/**
 * Asks the leader's own Postgres whether it accepts writes. The DCS can name a leader whose Postgres
 * is still (or again) read-only: a member promoting itself, or one that retook the key after being
 * demoted (docs/lab.md, the stale-leader path). "Healthy" must mean "a write would succeed", so the
 * lab and the SUT check pg_is_in_recovery() on the leader before calling the cluster healthy.
 * Returns undefined when writable, else a one-line problem.
 */
export async function leaderWriteProblem(
  leader: string,
  endpoint: PgEndpoint,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let conn;
  try {
    conn = await connectPg(endpoint, {
      applicationName: 'pxchaos-health',
      connectTimeoutMs: 2000,
      queryTimeoutMs: 2000,
      ...(signal && { signal }),
    });
    const res = await conn.client.query<{ readonly recovery: boolean }>(
      'SELECT pg_is_in_recovery() AS recovery',
    );
    return res.rows[0]?.recovery === false
      ? undefined
      : `leader ${leader}: Postgres is read-only (in recovery)`;
  } catch (err) {
    if (conn) discardClient(conn.client);
    conn = undefined;
    return `leader ${leader}: Postgres not answering (${(err as Error).message})`;
  } finally {
    if (conn) await closeClient(conn.client);
  }
}

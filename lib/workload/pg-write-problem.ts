import type { PgEndpoint } from '../sut/sut.js';
import { closeClient, connectPg, discardClient } from './pg-connect.js';

export interface PgWriteProblemOptions {
  /** Deadline of the connect and of the query (default 2000 ms). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Asks a Postgres whether it accepts writes (`pg_is_in_recovery()` is false). A platform can name a
 * primary whose Postgres is still (or again) read-only: a Patroni member promoting itself or one that
 * retook the key after a demotion (docs/lab.md), a pod that is Ready but not yet out of recovery. So
 * "healthy" is checked against Postgres itself. Undefined when writable, else what is wrong:
 * 'read-only', or the connection/query error's message.
 */
export async function pgWriteProblem(
  endpoint: PgEndpoint,
  options: PgWriteProblemOptions = {},
): Promise<{ readonly readOnly: true } | { readonly error: string } | undefined> {
  const timeoutMs = options.timeoutMs ?? 2000;
  let conn;
  try {
    conn = await connectPg(endpoint, {
      applicationName: 'pxchaos-health',
      connectTimeoutMs: timeoutMs,
      queryTimeoutMs: timeoutMs,
      ...(options.signal && { signal: options.signal }),
    });
    const res = await conn.client.query<{ readonly recovery: boolean }>(
      'SELECT pg_is_in_recovery() AS recovery',
    );
    return res.rows[0]?.recovery === false ? undefined : { readOnly: true };
  } catch (err) {
    if (conn) discardClient(conn.client);
    conn = undefined;
    return { error: (err as Error).message };
  } finally {
    if (conn) await closeClient(conn.client);
  }
}

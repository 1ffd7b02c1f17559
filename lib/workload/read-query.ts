import pRetry from 'p-retry';
import type { PgEndpoint } from '../sut/sut.js';
import { closeClient, connectPg, discardClient } from './pg-connect.js';
import { isSessionError } from './write-outcome.js';

export interface ReadQueryOptions {
  readonly applicationName: string;
  readonly signal?: AbortSignal;
  /** Per-attempt deadline of the connect (at most 10 s) and of the query. */
  readonly timeoutMs: number;
  /** Extra attempts after a connection-level error (a failover in progress). */
  readonly retries: number;
}

/** One read-only query on a fresh connection, with deadlines, retried only on a session error. */
export function readQuery<T extends Record<string, unknown>>(
  endpoint: PgEndpoint,
  text: string,
  values: readonly unknown[],
  options: ReadQueryOptions,
): Promise<T[]> {
  const { signal, timeoutMs } = options;
  return pRetry(
    async () => {
      const conn = await connectPg(endpoint, {
        applicationName: options.applicationName,
        connectTimeoutMs: Math.min(timeoutMs, 10_000),
        queryTimeoutMs: timeoutMs,
        ...(signal && { signal }),
      });
      try {
        const { rows } = await conn.client.query<T>(text, [...values]);
        await closeClient(conn.client);
        return rows;
      } catch (err) {
        discardClient(conn.client);
        throw err;
      }
    },
    {
      retries: options.retries,
      minTimeout: 500,
      maxTimeout: 2000,
      ...(signal && { signal }),
      shouldRetry: ({ error }) => !signal?.aborted && isSessionError(error),
    },
  );
}

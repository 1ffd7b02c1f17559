import type { PgEndpoint } from '../sut/sut.js';
import { deadlineSignal } from '../time/deadline-signal.js';

/**
 * Where workload connections go: a fixed endpoint, or a lookup asked again on every reconnect
 * (e.g. `(signal) => sut.writeEndpoint(signal)`, so writes follow a failover).
 */
export type EndpointSource = PgEndpoint | ((signal: AbortSignal) => Promise<PgEndpoint>);

/** Resolves the source within timeoutMs, even if the lookup ignores its signal. */
export async function resolveEndpoint(
  source: EndpointSource,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PgEndpoint> {
  if (typeof source !== 'function') return source;
  const combined = deadlineSignal(timeoutMs, signal);
  combined.throwIfAborted();
  return new Promise<PgEndpoint>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        signal?.aborted
          ? (signal.reason as Error)
          : new Error(`endpoint lookup did not answer within ${timeoutMs}ms`),
      );
    combined.addEventListener('abort', onAbort, { once: true });
    source(combined).then(
      (endpoint) => {
        combined.removeEventListener('abort', onAbort);
        resolve(endpoint);
      },
      (err: unknown) => {
        combined.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

import type { PgEndpoint } from '../sut/sut.js';

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
  // AbortSignal.timeout() throws on a fractional delay; callers pass remaining-time arithmetic.
  const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  combined.throwIfAborted();
  return new Promise<PgEndpoint>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        deadline.aborted
          ? new Error(`endpoint lookup did not answer within ${timeoutMs}ms`)
          : (signal?.reason as Error),
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

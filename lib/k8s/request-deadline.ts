import type { Middleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { deadlineSignal } from '../time/deadline-signal.js';

/** Default deadline of one Kubernetes API request (list, get, apply, delete). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * The signal one request should carry: its own deadline, and the caller's signal when given.
 * A fresh `AbortSignal.timeout` per request: client-node 1.x sets none, and a call to a
 * partitioned API server would otherwise wait for the kernel's TCP timeout (minutes).
 */
export function requestSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  return deadlineSignal(timeoutMs, signal);
}

/**
 * Per-client middleware giving every request of a generated API client a deadline (client-node
 * exports promise middleware as `Middleware`; `createConfiguration` wraps it into the Observable
 * form the generated code runs).
 */
export function requestDeadline(timeoutMs: number, signal?: AbortSignal): Middleware {
  return {
    pre(context: RequestContext): Promise<RequestContext> {
      context.setSignal(requestSignal(timeoutMs, signal));
      return Promise.resolve(context);
    },
    post(context: ResponseContext): Promise<ResponseContext> {
      return Promise.resolve(context);
    },
  };
}

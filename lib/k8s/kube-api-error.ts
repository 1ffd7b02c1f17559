import { formatDuration } from '../time/duration.js';

/**
 * How a Kubernetes request failed:
 * - `status`: the API server answered with a non-2xx status (its Status message is kept);
 * - `timeout`: the request's own deadline passed (a partitioned server answers nothing);
 * - `unreachable`: no connection (refused, no route, reset, DNS, TLS);
 * - `aborted`: the caller's signal (the scenario's) ended it;
 * - `other`: anything else (kept as the cause).
 */
export type KubeFailure = 'status' | 'timeout' | 'unreachable' | 'aborted' | 'other';

/** One readable line for every way a Kubernetes request can fail; the original error is the cause. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly failure: KubeFailure,
    /** HTTP status, for `status` failures. */
    readonly status?: number,
    /** The Status reason (NotFound, Conflict, Expired, …), for `status` failures. */
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.status === 404;
/** 409: the name is taken (AlreadyExists), or the object changed since it was read. */
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409;

/** A Kubernetes `Status` object as the API server sends it (in error bodies and watch ERROR events). */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { reason?: string; message?: string }[] };
}

export interface DescribeContext {
  /** What was being done, first in the message: "read pod db/pg-0". */
  readonly what: string;
  /** The request deadline, to say "timed out after N s". */
  readonly timeoutMs?: number;
  /** The caller's signal: when it is the one that fired, the request was aborted, not timed out. */
  readonly signal?: AbortSignal;
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connect timed out',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

/** Parses a JSON Status body (ApiException's body is a *string*); undefined when it is not one. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as KubeStatus;
  // exec's Success status carries neither kind nor message: `{"metadata":{},"status":"Success"}`.
  return v.kind === 'Status' || typeof v.message === 'string' || typeof v.status === 'string' ? v : undefined;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The KubeApiError for a non-2xx answer. */
export function statusError(what: string, code: number, body: unknown, options?: ErrorOptions): KubeApiError {
  const status = parseStatus(body);
  const reason = status?.reason;
  const detail = status?.message
    ? oneLine(status.message)
    : typeof body === 'string' && body.trim()
      ? oneLine(body).slice(0, 200)
      : 'no message';
  return new KubeApiError(
    `${what}: HTTP ${code}${reason ? ` ${reason}` : ''}: ${detail}`,
    'status',
    code,
    reason,
    options,
  );
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  body?: unknown;
  message?: unknown;
  cause?: unknown;
  type?: unknown;
}

function errnoOf(err: ErrorShape): string | undefined {
  for (let e: ErrorShape | undefined = err, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = typeof e.cause === 'object' && e.cause !== null ? e.cause : undefined;
  }
  return undefined;
}

/**
 * Turns whatever a client-node call (or our own request code) threw into one KubeApiError with
 * one readable line: ApiException (numeric `code`, JSON-string `body`), node-fetch's FetchError
 * (`code: 'ECONNREFUSED'`…), AbortError (our deadline or the caller's signal), socket errors.
 */
export function describeKubeError(err: unknown, ctx: DescribeContext): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorShape;
  const options = { cause: err };
  const message = typeof e.message === 'string' ? oneLine(e.message) : String(err);
  if (typeof e.code === 'number' && e.code >= 300) return statusError(ctx.what, e.code, e.body, options);
  const aborted = e.name === 'AbortError' || e.type === 'aborted' || e.name === 'TimeoutError';
  if (aborted) {
    if (ctx.signal?.aborted) {
      const reason: unknown = ctx.signal.reason;
      const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
      return new KubeApiError(`${ctx.what}: aborted (${why})`, 'aborted', undefined, undefined, options);
    }
    const after = ctx.timeoutMs !== undefined ? ` after ${formatDuration(ctx.timeoutMs)}` : '';
    return new KubeApiError(`${ctx.what}: timed out${after}`, 'timeout', undefined, undefined, options);
  }
  const errno = errnoOf(e);
  if (errno && errno in CONNECT_CODES) {
    const host = /(?:connect|reason:) \w+ ([\d.:a-f[\]]+)/.exec(message)?.[1];
    return new KubeApiError(
      `${ctx.what}: API server unreachable: ${CONNECT_CODES[errno]}${host ? ` (${host})` : ''}`,
      'unreachable',
      undefined,
      undefined,
      options,
    );
  }
  if (errno && /CERT|SSL|TLS/.test(errno)) {
    return new KubeApiError(
      `${ctx.what}: TLS failure talking to the API server: ${errno}`,
      'unreachable',
      undefined,
      undefined,
      options,
    );
  }
  return new KubeApiError(`${ctx.what}: ${message}`, 'other', undefined, undefined, options);
}

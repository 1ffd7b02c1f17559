import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../time/duration.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError, statusError, type KubeStatus } from './kube-api-error.js';
import { kubeGetJson, kubeOpenStream } from './kube-http.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What the watch needs of an object: its identity and version. Objects are delivered as raw JSON. */
export interface KubeObjectLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
}

export interface WatchEvent<T> {
  readonly type: WatchEventType;
  readonly object: T;
  /**
   * True when the event was derived from a re-list (after a 410 Gone) rather than received:
   * the change happened while the watch could not see it, at an unknown moment before.
   */
  readonly fromRelist: boolean;
}

/** What the watch itself goes through, for logs and the timeline. */
export type WatchNotice =
  | { readonly kind: 'listed'; readonly items: number; readonly resourceVersion: string }
  | { readonly kind: 'watching'; readonly resourceVersion: string }
  | { readonly kind: 'expired'; readonly resourceVersion: string }
  | { readonly kind: 'silent'; readonly silentMs: number }
  | { readonly kind: 'retry'; readonly error: string; readonly delayMs: number };

export interface WatchOptions {
  /** Ends the watch (done resolves). */
  readonly signal?: AbortSignal;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Server-side end of each watch request (default 25 s): the server closes the stream, and the
   * watch resumes from the last resourceVersion. Always sent: client-node 1.4's own timeout is
   * ineffective and a server that dies silently would leave the stream open forever.
   */
  readonly timeoutSeconds?: number;
  /**
   * No line at all (event or bookmark) for this long = the connection is dead (a partition gives
   * no FIN): the watch request is abandoned and reopened. Default timeoutSeconds + 10 s, so a quiet
   * but healthy server (which closes each stream after timeoutSeconds) never trips it.
   */
  readonly livenessMs?: number;
  /** First retry delay after a failure (default 250 ms), doubled up to `maxRetryDelayMs` (default 5 s). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** After failing continuously this long (no watch established), the watch ends with the error (default 5 min). */
  readonly giveUpAfterMs?: number;
  /** Deliver the initial list as ADDED events (default true). */
  readonly initialEvents?: boolean;
  readonly onNotice?: (notice: WatchNotice) => void;
}

export interface WatchStats {
  lists: number;
  watchRequests: number;
  /** 410 Gone (expired resourceVersion) answers, each followed by a re-list. */
  expired: number;
  /** Watch requests abandoned by the liveness timer. */
  silent: number;
  /** Failed attempts (connect refused, reset, timeouts, server errors), each retried after a delay. */
  failures: number;
  events: number;
}

export interface ObjectWatch {
  /** Resolves when stopped (signal or stop()); rejects when the watch gave up or onEvent threw. */
  readonly done: Promise<void>;
  readonly stats: Readonly<WatchStats>;
  /** Ends the watch and waits for it to be over. Idempotent. */
  stop(): Promise<void>;
}

const keyOf = (o: KubeObjectLike): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

interface ListBody<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchLine<T> {
  type?: string;
  object?: T | KubeStatus;
}

type WatchOutcome = 'ended' | 'expired' | 'silent' | 'stopped';

/**
 * List + watch `path` (a collection, e.g. `/api/v1/namespaces/db/pods`) and deliver every change
 * as ADDED/MODIFIED/DELETED with the object, through API-server restarts and partitions:
 * - a 410 Gone (expired resourceVersion, as an ERROR event or an HTTP answer) triggers a re-list,
 *   and the differences with what was known are delivered as events (`fromRelist`);
 * - every watch request carries `timeoutSeconds`, and a liveness timer reopens a stream that has
 *   been silent for `livenessMs`;
 * - a failed request is retried with a doubling delay, for at most `giveUpAfterMs` in a row.
 */
export function watchObjects<T extends KubeObjectLike>(
  client: KubeClient,
  path: string,
  onEvent: (event: WatchEvent<T>) => void,
  options: WatchOptions = {},
): ObjectWatch {
  const stopper = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopper.signal]) : stopper.signal;
  const timeoutSeconds = options.timeoutSeconds ?? 25;
  const livenessMs = options.livenessMs ?? timeoutSeconds * 1000 + 10_000;
  const firstDelay = options.retryDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 300_000;
  const notice = options.onNotice ?? (() => undefined);
  const stats: WatchStats = { lists: 0, watchRequests: 0, expired: 0, silent: 0, failures: 0, events: 0 };
  const known = new Map<string, T>();
  let resourceVersion: string | undefined;

  const query = (extra: Record<string, string>): string => {
    const q = new URLSearchParams();
    if (options.labelSelector) q.set('labelSelector', options.labelSelector);
    if (options.fieldSelector) q.set('fieldSelector', options.fieldSelector);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `${path}?${q.toString()}`;
  };

  const deliver = (type: WatchEventType, object: T, fromRelist: boolean): void => {
    stats.events++;
    onEvent({ type, object, fromRelist });
  };

  /** Lists (all pages) and delivers the differences with what was known. */
  async function relist(): Promise<void> {
    const items: T[] = [];
    let listVersion = '';
    let cont: string | undefined;
    do {
      const page = await kubeGetJson<ListBody<T>>(
        client,
        query({ limit: '500', ...(cont ? { continue: cont } : {}) }),
        { what: `list ${path}`, signal },
      );
      items.push(...(page.items ?? []));
      listVersion = page.metadata?.resourceVersion ?? listVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    const first = stats.lists === 0;
    stats.lists++;
    const fromRelist = !first;
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const before = known.get(key);
      known.set(key, item);
      if (!before) {
        if (!first || options.initialEvents !== false) deliver('ADDED', item, fromRelist);
      } else if (before.metadata?.uid !== item.metadata?.uid) {
        deliver('DELETED', before, true);
        deliver('ADDED', item, true);
      } else if (before.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        deliver('MODIFIED', item, true);
      }
    }
    for (const [key, before] of known) {
      if (seen.has(key)) continue;
      known.delete(key);
      deliver('DELETED', before, true);
    }
    resourceVersion = listVersion;
    notice({ kind: 'listed', items: items.length, resourceVersion: listVersion });
  }

  /** One watch request from `resourceVersion`, until the stream ends, expires, goes silent or is stopped. */
  async function watchOnce(from: string, established: () => void): Promise<WatchOutcome> {
    const request = new AbortController();
    let silent = false;
    let liveness: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(liveness);
      liveness = setTimeout(() => {
        silent = true;
        request.abort();
      }, livenessMs);
    };
    const what = `watch ${path}`;
    stats.watchRequests++;
    try {
      const res = await kubeOpenStream(
        client,
        query({
          watch: '1',
          resourceVersion: from,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(timeoutSeconds),
        }),
        {
          what,
          signal: AbortSignal.any([signal, request.signal]),
          connectTimeoutMs: client.requestTimeoutMs,
        },
      );
      established();
      notice({ kind: 'watching', resourceVersion: from });
      arm();
      let pending = '';
      try {
        for await (const chunk of res) {
          arm();
          pending += (chunk as Buffer).toString('utf8');
          let newline: number;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            if (!line) continue;
            const outcome = handleLine(JSON.parse(line) as WatchLine<T>, what);
            if (outcome) {
              request.abort();
              return outcome;
            }
          }
        }
      } catch (err) {
        if (signal.aborted) return 'stopped';
        if (silent) return 'silent';
        throw err;
      }
      if (signal.aborted) return 'stopped';
      return silent ? 'silent' : 'ended';
    } catch (err) {
      if (signal.aborted) return 'stopped';
      if (silent) return 'silent';
      throw err;
    } finally {
      clearTimeout(liveness);
    }
  }

  /** Applies one line of the stream; returns an outcome when the stream must end. */
  function handleLine(line: WatchLine<T>, what: string): WatchOutcome | undefined {
    const type = line.type;
    if (type === 'ERROR') {
      const status = line.object as KubeStatus | undefined;
      if (status?.code === 410) return 'expired';
      throw statusError(what, status?.code ?? 500, status);
    }
    const object = line.object as T | undefined;
    if (!object) return undefined;
    const version = object.metadata?.resourceVersion;
    if (version) resourceVersion = version;
    if (type === 'BOOKMARK') return undefined;
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return undefined;
    const key = keyOf(object);
    if (type === 'DELETED') known.delete(key);
    else known.set(key, object);
    deliver(type, object, false);
    return undefined;
  }

  async function run(): Promise<void> {
    let failingSince: number | undefined;
    let delay = firstDelay;
    const established = (): void => {
      failingSince = undefined;
      delay = firstDelay;
    };
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) await relist();
        if (signal.aborted) break;
        const from = resourceVersion ?? '';
        const startedAt = performance.now();
        const outcome = await watchOnce(from, established);
        if (outcome === 'stopped') break;
        // A server that accepts and at once closes watches must not turn this into a busy loop.
        if (outcome === 'ended' && performance.now() - startedAt < 1000)
          await sleep(firstDelay, undefined, { signal }).catch(() => undefined);
        if (outcome === 'expired') {
          stats.expired++;
          notice({ kind: 'expired', resourceVersion: from });
          resourceVersion = undefined;
        } else if (outcome === 'silent') {
          stats.silent++;
          notice({ kind: 'silent', silentMs: livenessMs });
        }
        continue;
      } catch (err) {
        if (signal.aborted) break;
        // A 410 may also come as the HTTP status of the watch request itself.
        if (err instanceof KubeApiError && err.status === 410) {
          stats.expired++;
          notice({ kind: 'expired', resourceVersion: resourceVersion ?? '' });
          resourceVersion = undefined;
          continue;
        }
        if (!(err instanceof KubeApiError)) throw err;
        stats.failures++;
        failingSince ??= performance.now();
        const failingFor = performance.now() - failingSince;
        if (failingFor > giveUpAfterMs) {
          throw new KubeApiError(
            `watch ${path}: gave up after failing for ${formatDuration(failingFor)}: ${err.message}`,
            err.failure,
            err.status,
            err.reason,
            { cause: err },
          );
        }
        notice({ kind: 'retry', error: err.message, delayMs: delay });
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  const done = run();
  // The caller may only ever stop(): keep a rejection from surfacing as unhandled before it looks.
  done.catch(() => undefined);
  return {
    done,
    stats,
    async stop() {
      stopper.abort(new Error('watch stopped'));
      await done.catch(() => undefined);
    },
  };
}

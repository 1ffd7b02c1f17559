import { deadlineSignal } from '../../time/deadline-signal.js';

/** Where one node's Patroni REST API and Postgres are reached from the harness (published ports). */
export interface PatroniNodeEndpoint {
  readonly name: string;
  readonly host: string;
  readonly restPort: number;
  readonly pgPort: number;
}

/** One member as Patroni's GET /cluster reports it (the DCS view). */
export interface PatroniMember {
  readonly name: string;
  /** leader | sync_standby | replica | standby_leader (Patroni 3.0). */
  readonly role: string;
  /** running | streaming | stopped | starting | start failed | crashed... */
  readonly state: string;
  readonly host?: string;
  readonly port?: number;
  readonly timeline?: number;
  /** Replay lag in bytes, or "unknown". */
  readonly lag?: number | string;
}

export interface PatroniClusterView {
  readonly members: readonly PatroniMember[];
}

/** One node's own status (GET /patroni); `replication` is filled on a primary only. */
export interface PatroniNodeStatus {
  readonly state?: string;
  readonly role?: string;
  readonly timeline?: number;
  readonly replication?: readonly {
    readonly application_name: string;
    readonly state: string;
    readonly sync_state: string;
  }[];
  readonly patroni?: { readonly version?: string; readonly scope?: string };
}

export interface PatroniRestOptions {
  /** Per-request deadline; a partitioned node must not stall a poll. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Basic auth for unsafe endpoints (switchover, config PATCH). */
  readonly auth?: { readonly username: string; readonly password: string };
}

/** A REST answer, or why there was none. */
export type RestAnswer<T> =
  | { readonly ok: true; readonly status: number; readonly body: T }
  | { readonly ok: false; readonly error: string };

/** A small client of Patroni's REST API: every request has a deadline and never throws on network errors. */
export class PatroniRest {
  private readonly timeoutMs: number;

  constructor(
    readonly endpoints: readonly PatroniNodeEndpoint[],
    private readonly options: PatroniRestOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
  }

  endpoint(node: string): PatroniNodeEndpoint {
    const e = this.endpoints.find((x) => x.name === node);
    if (!e)
      throw new Error(
        `unknown Patroni node '${node}' (known: ${this.endpoints.map((x) => x.name).join(', ')})`,
      );
    return e;
  }

  async request<T>(
    node: string,
    path: string,
    init: { method?: string; body?: unknown; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<RestAnswer<T>> {
    const e = this.endpoint(node);
    const signal = deadlineSignal(init.timeoutMs ?? this.timeoutMs, init.signal);
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.method && init.method !== 'GET' && this.options.auth) {
      const { username, password } = this.options.auth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    try {
      const res = await fetch(`http://${e.host}:${e.restPort}${path}`, {
        method: init.method ?? 'GET',
        headers,
        signal,
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Plain-text answers (switchover results) stay strings.
      }
      return { ok: true, status: res.status, body: body as T };
    } catch (err) {
      init.signal?.throwIfAborted();
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const name = (err as Error).name;
      return {
        ok: false,
        error: name === 'TimeoutError' ? 'no answer (timeout)' : (cause ?? (err as Error).message),
      };
    }
  }

  /** This node's view of the cluster (the DCS state), or undefined when its REST API does not answer. */
  async cluster(node: string, signal?: AbortSignal): Promise<PatroniClusterView | undefined> {
    const a = await this.request<PatroniClusterView>(node, '/cluster', { signal });
    return a.ok && a.status === 200 && Array.isArray(a.body?.members) ? a.body : undefined;
  }

  /** The node's own status, or undefined when its REST API does not answer. */
  async status(node: string, signal?: AbortSignal): Promise<PatroniNodeStatus | undefined> {
    const a = await this.request<PatroniNodeStatus>(node, '/patroni', { signal });
    return a.ok && a.status === 200 && typeof a.body === 'object' ? a.body : undefined;
  }

  /** True when the node holds the leader lock (GET /leader → 200), false on 503, undefined when unreachable. */
  async holdsLeaderLock(node: string, signal?: AbortSignal): Promise<boolean | undefined> {
    const a = await this.request(node, '/leader', { signal });
    return a.ok ? a.status === 200 : undefined;
  }

  /** Asks the leader to hand over to `candidate` (or to the sync standby). Resolves to Patroni's answer text. */
  async switchover(leader: string, candidate?: string, signal?: AbortSignal): Promise<RestAnswer<string>> {
    return this.request<string>(leader, '/switchover', {
      method: 'POST',
      body: { leader, ...(candidate !== undefined && { candidate }) },
      timeoutMs: 60_000,
      signal,
    });
  }
}

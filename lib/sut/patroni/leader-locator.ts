import { consensusView } from './cluster-health.js';
import type { PatroniNodeEndpoint, PatroniRest } from './patroni-rest.js';

export interface LeaderChoice {
  readonly node: string;
  readonly endpoint: PatroniNodeEndpoint;
  /**
   * leader-lock: the node itself answered GET /leader with 200 (what HAProxy checks).
   * dcs: no node confirmed; the leader key in etcd, as a reachable member reports it (what vip-manager
   * follows). The fallback matters while the leader's Patroni is down but its Postgres still serves, within ttl.
   */
  readonly via: 'leader-lock' | 'dcs';
}

/** Finds the node holding the Patroni leader lock, with a short cache so a burst of connections costs one lookup. */
export class LeaderLocator {
  private cache: { readonly at: number; readonly choice: LeaderChoice | undefined } | undefined;
  private inFlight: Promise<LeaderChoice | undefined> | undefined;

  constructor(
    private readonly rest: PatroniRest,
    private readonly cacheMs = 500,
  ) {}

  invalidate(): void {
    this.cache = undefined;
  }

  /** The leader, from the cache when it is fresh and names a leader. */
  async current(signal?: AbortSignal): Promise<LeaderChoice | undefined> {
    const c = this.cache;
    if (c?.choice && performance.now() - c.at < this.cacheMs) return c.choice;
    return this.locate(signal);
  }

  /**
   * A fresh lookup. Concurrent callers share one; it is bounded by the per-request deadline, and a
   * caller's signal only abandons its own wait.
   */
  locate(signal?: AbortSignal): Promise<LeaderChoice | undefined> {
    signal?.throwIfAborted();
    this.inFlight ??= this.lookup().finally(() => (this.inFlight = undefined));
    const shared = this.inFlight;
    if (!signal) return shared;
    return new Promise((resolve, reject) => {
      const onAbort = (): void =>
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async lookup(): Promise<LeaderChoice | undefined> {
    const nodes = this.rest.endpoints;
    const [locks, views] = await Promise.all([
      Promise.all(nodes.map((e) => this.rest.holdsLeaderLock(e.name))),
      Promise.all(nodes.map((e) => this.rest.cluster(e.name))),
    ]);
    const dcsLeader = consensusView(views)?.members.find((m) => m.role === 'leader')?.name;
    const holders = nodes.filter((_, i) => locks[i] === true);
    let choice: LeaderChoice | undefined;
    // A node that was cut off may still claim the lock for a moment after it returns: the DCS view decides.
    const confirmed =
      dcsLeader !== undefined
        ? holders.find((h) => h.name === dcsLeader)
        : holders.length === 1
          ? holders[0]
          : undefined;
    if (confirmed) choice = { node: confirmed.name, endpoint: confirmed, via: 'leader-lock' };
    else {
      const endpoint = nodes.find((e) => e.name === dcsLeader);
      if (endpoint) choice = { node: endpoint.name, endpoint, via: 'dcs' };
    }
    this.cache = { at: performance.now(), choice };
    return choice;
  }
}

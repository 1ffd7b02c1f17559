import type { NodeAccess } from '../../nodes/node-access.js';
import type { FullExpectations, PlacedExpectations } from '../expectations.js';
import type { NodeRoles } from '../placement.js';
import { loadPgbench } from '../../workload/pgbench.js';
import type {
  AgentCommands,
  DriveCommands,
  PgbenchLoadRequest,
  PgEndpoint,
  Sut,
  SutEvent,
  SutHealth,
} from '../sut.js';
import { assessCluster, consensusView } from './cluster-health.js';
import { LeaderLocator } from './leader-locator.js';
import { leaderWriteProblem } from './leader-writable.js';
import { LeaderProxy } from './leader-proxy.js';
import { LAB_EXPECTATIONS, LAB_PLACED_EXPECTATIONS } from './lab-expectations.js';
import { patroniNodeRoles } from './patroni-node-roles.js';
import { LAB_AGENT, LAB_DRIVE, LAB_PARTITION_PROBE_PORT } from './lab-node-commands.js';
import {
  PatroniRest,
  type PatroniClusterView,
  type PatroniMember,
  type PatroniNodeEndpoint,
} from './patroni-rest.js';
import type { TimingSettings } from '../recovery-phases.js';
import { checkSyncReplication, describeSyncProblem, syncKeyResetCommand } from './sync-replication.js';

export interface PatroniSutOptions {
  /** Node access (docker exec or SSH), one per Patroni member, named like the members. */
  readonly nodes: readonly NodeAccess[];
  /** Where each member's REST API and Postgres are reached from the harness. */
  readonly endpoints: readonly PatroniNodeEndpoint[];
  /** Postgres login used through the write endpoint. */
  readonly database: { readonly user: string; readonly password: string; readonly database: string };
  /** Basic auth of Patroni's unsafe REST endpoints (switchover). */
  readonly restAuth?: { readonly username: string; readonly password: string };
  readonly expectations?: FullExpectations;
  /** When the fault hits a replica's node (the lab has no bystander). */
  readonly placedExpectations?: PlacedExpectations;
  /** Poll period of watch() (default 250 ms). */
  readonly pollMs?: number;
  /** Patroni's timers as the lab runs them (ttl, loop_wait), for the recovery's predicted phases. */
  readonly timings?: TimingSettings;
  /** Deadline of one REST request (default 1000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * When settle() finds the primary replicating asynchronously although the DCS names a sync standby
   * (Patroni 3.0.2 after an agent restart, see sync-replication.ts), reset the DCS /sync key so Patroni
   * re-assigns it, and report it as a 'sync-replication-repaired' event. Default true.
   */
  readonly repairSyncReplication?: boolean;
  /** Close the nodes in close() (when this SUT created them). */
  readonly ownsNodes?: boolean;
  /** Proxy routing events (session closed on leader change, no leader...) for logs. */
  readonly onProxyEvent?: (event: string, detail: string) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The lab's system under test: Patroni + etcd + PostgreSQL with synchronous replication. */
export class PatroniSut implements Sut {
  /** The name timelines record it by (recovery-phase-plans.ts finds its phases by it). */
  static readonly NAME = 'patroni';
  readonly name = PatroniSut.NAME;
  /** The leader proxy is local and refuses at once when no node leads: retrying is cheap. */
  readonly reconnectPauseMs = 25;
  /** Postgres on every node (lab-node-commands.ts): the same port `pxchaos inject` uses in the lab. */
  readonly partitionProbePort: number = LAB_PARTITION_PROBE_PORT;
  readonly nodes: readonly NodeAccess[];
  readonly expectations: FullExpectations;
  readonly placedExpectations: PlacedExpectations;
  readonly rest: PatroniRest;
  readonly timings: TimingSettings;
  private readonly locator: LeaderLocator;
  private proxy: LeaderProxy | undefined;
  private readonly watchers = new Set<AbortController>();
  private readonly repairListeners = new Set<(e: SutEvent) => void>();
  private closed = false;

  constructor(private readonly options: PatroniSutOptions) {
    this.nodes = options.nodes;
    this.expectations = options.expectations ?? LAB_EXPECTATIONS;
    this.placedExpectations = options.placedExpectations ?? LAB_PLACED_EXPECTATIONS;
    this.rest = new PatroniRest(options.endpoints, {
      timeoutMs: options.requestTimeoutMs ?? 1000,
      ...(options.restAuth && { auth: options.restAuth }),
    });
    this.locator = new LeaderLocator(this.rest);
    this.timings = {
      ...options.timings,
      patroniWatchPoll: {
        ms: this.pollMs(),
        source: 'the harness polls every member this often: leader events are seen up to this late',
      },
    };
  }

  private pollMs(): number {
    return this.options.pollMs ?? 250;
  }

  /** A local proxy endpoint: each new connection goes to the node holding the leader lock at that moment. */
  /** pgbench on the harness host through the leader proxy. */
  async loadPgbench(scale: number, request: PgbenchLoadRequest): Promise<{ readonly rows: number }> {
    return loadPgbench(await this.writeEndpoint(), scale, {
      onProgress: request.onProgress,
      ...(request.signal && { signal: request.signal }),
    });
  }

  async writeEndpoint(): Promise<PgEndpoint> {
    if (this.closed) throw new Error('PatroniSut is closed');
    this.proxy ??= new LeaderProxy(this.locator, {
      ...(this.options.onProxyEvent && { onEvent: this.options.onProxyEvent }),
    });
    const { host, port } = await this.proxy.listen();
    return { host, port, ...this.options.database };
  }

  async primaryNode(signal?: AbortSignal): Promise<string> {
    const leader = await this.locator.locate(signal);
    if (!leader) throw new Error('no Patroni leader: no node holds the leader lock and the DCS names none');
    return leader.node;
  }

  /** From the DCS view: the leader, its synchronous standby first among the replicas. */
  async nodeRoles(signal?: AbortSignal): Promise<NodeRoles> {
    return patroniNodeRoles(
      await this.clusterView(signal),
      this.nodes.map((n) => n.name),
    );
  }

  /** For the fingerprint: Patroni's version (the first member that answers) and the member count. */
  async platformVersions(signal?: AbortSignal): Promise<Readonly<Record<string, string>>> {
    const statuses = await Promise.all(this.rest.endpoints.map((e) => this.rest.status(e.name, signal)));
    const version = statuses.find((s) => s?.patroni?.version)?.patroni?.version;
    return { patroni: version ?? 'unknown (no member answered)', nodes: String(this.nodes.length) };
  }

  /** The DCS view of the first node whose REST API answers. */
  async clusterView(signal?: AbortSignal): Promise<PatroniClusterView | undefined> {
    return consensusView(
      await Promise.all(this.rest.endpoints.map((e) => this.rest.cluster(e.name, signal))),
    );
  }

  async health(signal?: AbortSignal): Promise<SutHealth> {
    const expected = this.rest.endpoints.map((e) => e.name);
    const [views, agents, drives] = await Promise.all([
      Promise.all(this.rest.endpoints.map((e) => this.rest.cluster(e.name, signal))),
      Promise.all(this.nodes.map((n) => this.probe(n, LAB_AGENT.status, signal))),
      Promise.all(this.nodes.map((n) => this.probe(n, LAB_DRIVE.status, signal))),
    ]);
    const view = consensusView(views);
    const assessment = assessCluster(view, expected);
    const problems = [...assessment.problems];
    const sync = await checkSyncReplication(this.rest, view, signal);
    if (sync && !sync.ok) problems.push(describeSyncProblem(sync));
    const leaderProblem = assessment.leader && (await this.leaderWriteProblem(assessment.leader, signal));
    if (leaderProblem) problems.push(leaderProblem);
    this.rest.endpoints.forEach((e, i) => {
      if (!views[i]) problems.push(`${e.name}: Patroni REST API not answering`);
    });
    this.nodes.forEach((n, i) => {
      if (agents[i] !== 'running') problems.push(`${n.name}: Patroni agent ${agents[i]}`);
      if (drives[i] !== 'healthy') problems.push(`${n.name}: drive ${drives[i]}`);
    });
    return {
      healthy: problems.length === 0,
      ...(assessment.leader && { primary: assessment.leader }),
      problems,
    };
  }

  private async leaderWriteProblem(leader: string, signal?: AbortSignal): Promise<string | undefined> {
    const e = this.options.endpoints.find((x) => x.name === leader);
    if (!e) return `leader ${leader}: no Postgres endpoint known`;
    return leaderWriteProblem(leader, { host: e.host, port: e.pgPort, ...this.options.database }, signal);
  }

  async settle(signal: AbortSignal, onCheck?: (health: SutHealth) => void): Promise<SutHealth> {
    let syncOffSince: number | undefined;
    let last: SutHealth | undefined;
    const notSettled = (): Error =>
      new Error(
        `Patroni cluster did not settle: ${last ? last.problems.join('; ') : 'no health check finished'}`,
        {
          cause: signal.reason,
        },
      );
    for (;;) {
      if (signal.aborted) throw notSettled();
      const h = await this.health(signal).catch((err: unknown) => {
        if (signal.aborted) throw notSettled();
        throw err;
      });
      last = h;
      if (h.healthy) return h;
      onCheck?.(h);
      // Only a sync-replication problem left, for long enough not to be a poll racing a reconfiguration:
      // replication off behind a DCS sync standby, or no sync standby because the /sync key still names
      // another leader (left behind when a stalled Patroni retook the leader key; it cannot update it).
      const onlySync =
        h.problems.length === 1 &&
        (h.problems[0]?.includes('synchronous replication is off') === true ||
          (h.problems[0] === 'no synchronous standby' && (await this.syncKeyLeader(signal)) !== h.primary));
      syncOffSince = onlySync ? (syncOffSince ?? performance.now()) : undefined;
      if (
        onlySync &&
        this.options.repairSyncReplication !== false &&
        performance.now() - (syncOffSince ?? 0) > 3000
      ) {
        await this.repairSyncReplication(signal);
        syncOffSince = undefined;
      }
      await sleep(500, signal).catch(() => undefined);
    }
  }

  /** The leader named by the DCS /sync key, read with etcdctl on a node ('' when absent or unreadable). */
  private async syncKeyLeader(signal?: AbortSignal): Promise<string> {
    const leader = await this.primaryNode(signal).catch(() => undefined);
    const scope = leader ? (await this.rest.status(leader, signal))?.patroni?.scope : undefined;
    const node = this.nodes.find((n) => n.name === leader) ?? this.nodes[0];
    if (!scope || !node) return '';
    const r = await node
      .exec(['env', 'ETCDCTL_API=3', 'etcdctl', 'get', '--print-value-only', `/service/${scope}/sync`], {
        check: false,
        timeoutMs: 5000,
        ...(signal && { signal }),
      })
      .catch(() => undefined);
    try {
      const leader = (JSON.parse(r?.stdout.trim() || '{}') as { leader?: unknown }).leader;
      return typeof leader === 'string' ? leader : '';
    } catch {
      return '';
    }
  }

  /** Makes Patroni re-assign the synchronous standby (see sync-replication.ts); reported to watchers. */
  async repairSyncReplication(signal?: AbortSignal): Promise<void> {
    const leader = await this.primaryNode(signal);
    const status = await this.rest.status(leader, signal);
    const scope = status?.patroni?.scope;
    if (!scope) throw new Error(`cannot read the Patroni scope from ${leader}`);
    const node = this.nodes.find((n) => n.name === leader) ?? this.nodes[0];
    if (!node) throw new Error('no node to run etcdctl on');
    await node.exec(syncKeyResetCommand(scope), { timeoutMs: 10_000, ...(signal && { signal }) });
    for (const notify of this.repairListeners)
      notify({
        event: 'sync-replication-repaired',
        node: leader,
        detail: 'DCS /sync key reset: Patroni re-assigns synchronous_standby_names',
      });
  }

  /** The same argv on every node (the scripts are in the lab image). */
  agentCommands(_node: string): AgentCommands {
    return LAB_AGENT;
  }

  driveCommands(_node: string): DriveCommands {
    return LAB_DRIVE;
  }

  /** Polls every member's REST API and reports leader changes, member role/state changes and REST reachability. */
  watch(onEvent: (e: SutEvent) => void, signal: AbortSignal): void {
    const ctl = new AbortController();
    this.watchers.add(ctl);
    const stop = AbortSignal.any([signal, ctl.signal]);
    const pollMs = this.pollMs();
    this.repairListeners.add(onEvent);
    void (async () => {
      let syncOk: boolean | undefined;
      let syncStreak = 0;
      let leader: string | undefined | null = null;
      let members = new Map<string, PatroniMember>();
      const reachable = new Map<string, boolean>();
      while (!stop.aborted) {
        const views = await Promise.all(
          this.rest.endpoints.map((e) => this.rest.cluster(e.name).catch(() => undefined)),
        );
        if (stop.aborted) break;
        this.rest.endpoints.forEach((e, i) => {
          const up = views[i] !== undefined;
          if (reachable.get(e.name) !== up && (reachable.has(e.name) || !up)) {
            onEvent({ event: up ? 'patroni-api-up' : 'patroni-api-down', node: e.name });
          }
          reachable.set(e.name, up);
        });
        const view = consensusView(views);
        if (view) {
          const current = view.members.find((m) => m.role === 'leader');
          const next = current?.name;
          if (leader === null)
            onEvent({
              event: 'watch-started',
              ...(next && { node: next }),
              detail: next ? `leader ${next} on timeline ${current?.timeline ?? '?'}` : 'no leader',
            });
          else if (next !== leader) {
            onEvent(
              next
                ? {
                    event: 'leader-changed',
                    node: next,
                    detail: `from ${leader ?? 'none'}; timeline ${current?.timeline ?? '?'}`,
                  }
                : {
                    event: 'leader-lost',
                    ...(leader && { node: leader }),
                    detail: 'no leader key in the DCS',
                  },
            );
          }
          leader = next;
          const nextMembers = new Map(view.members.map((m) => [m.name, m]));
          for (const [name, m] of nextMembers) {
            const before = members.get(name);
            if (members.size > 0 && !before)
              onEvent({ event: 'member-joined', node: name, detail: `${m.role}/${m.state}` });
            else if (
              before &&
              (before.role !== m.role || before.state !== m.state || before.timeline !== m.timeline)
            ) {
              onEvent({
                event: 'member-changed',
                node: name,
                detail: `${before.role}/${before.state}/tl${before.timeline ?? '?'} → ${m.role}/${m.state}/tl${m.timeline ?? '?'}`,
              });
            }
          }
          for (const name of members.keys())
            if (!nextMembers.has(name)) onEvent({ event: 'member-left', node: name });
          members = nextMembers;
          // Two polls in a row: /cluster and /patroni are read a few ms apart and may straddle a reconfiguration.
          const sync = await checkSyncReplication(this.rest, view).catch(() => undefined);
          if (sync) {
            syncStreak = sync.ok === syncOk ? 0 : syncStreak + 1;
            if (syncStreak >= 2 || (syncOk === undefined && sync.ok)) {
              if (syncOk !== undefined || !sync.ok) {
                onEvent(
                  sync.ok
                    ? {
                        event: 'sync-replication-on',
                        node: sync.leader,
                        detail: `sync standby ${sync.dcsSyncStandby}`,
                      }
                    : { event: 'sync-replication-off', node: sync.leader, detail: describeSyncProblem(sync) },
                );
              }
              syncOk = sync.ok;
              syncStreak = 0;
            }
          }
        }
        await sleep(pollMs, stop).catch(() => undefined);
      }
      this.watchers.delete(ctl);
      this.repairListeners.delete(onEvent);
    })();
  }

  /** Planned switchover through Patroni's REST API (needs restAuth). */
  async switchover(candidate?: string, signal?: AbortSignal): Promise<string> {
    const leader = await this.primaryNode(signal);
    const answer = await this.rest.switchover(leader, candidate, signal);
    if (!answer.ok) throw new Error(`switchover from ${leader}: ${answer.error}`);
    if (answer.status !== 200)
      throw new Error(`switchover from ${leader}: HTTP ${answer.status}: ${String(answer.body)}`);
    this.locator.invalidate();
    return String(answer.body);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers) w.abort();
    await this.proxy?.close();
    if (this.options.ownsNodes) await Promise.all(this.nodes.map((n) => n.close()));
  }

  private async probe(node: NodeAccess, argv: readonly string[], signal?: AbortSignal): Promise<string> {
    const r = await node
      .exec(argv, { check: false, timeoutMs: 5000, ...(signal && { signal }) })
      .catch(() => undefined);
    return r?.stdout.trim().split('\n').at(-1) || 'unknown';
  }
}

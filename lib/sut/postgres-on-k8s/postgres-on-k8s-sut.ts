import type { TimingSettings } from '../recovery-phases.js';
import type {
  CoreV1Event,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import { forwardPort, type ForwardedConnection, type PortForward } from '../../k8s/pod-port-forward.js';
import { isPodServing } from '../../k8s/ready-pod.js';
import type { KubeObjectLike, ObjectWatch, WatchEvent } from '../../k8s/watch-objects.js';
import { watchTransitions, type TransitionWatchOptions } from '../../k8s/watch-transitions.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import { pgWriteProblem } from '../../workload/pg-write-problem.js';
import type { Expectations, PlacedExpectations } from '../expectations.js';
import type { NodeRoles } from '../placement.js';
import { DATA_CLAIM } from './postgres-pod-ready.js';
import type { ReadReplicaNodes } from './replica-nodes.js';
import type {
  AgentCommands,
  DriveCommands,
  PgbenchLoadRequest,
  PgEndpoint,
  Sut,
  SutEvent,
  SutHealth,
} from '../sut.js';
import { loadPgbench } from './pgbench-load.js';
import { describePodState } from './pod-state.js';
import { POSTGRES_POD, postgresPod } from './pod-sql.js';
import { StuckPodRemedy, type StorageDownRemedy } from './stuck-pod-remedy.js';
import type { StorageStateWatch, StorageStateWatchContext } from './storage-state-watch.js';
import {
  claimTransitions,
  kubeEventTransitions,
  nodeTransitions,
  nodeView,
  volumeTransitions,
  type NodeView,
} from './platform-transitions.js';
import { podTransitions, podView, type PodView } from './pod-transitions.js';
import type { PostgresCredentials } from './postgres-credentials.js';
import { POSTGRES_APP, POSTGRES_PORT } from './postgres-k8s-settings.js';
import { STORAGE_DRIVER_PROFILES, type StorageDriver } from './storage-drivers.js';

export interface PostgresOnK8sSutOptions {
  /** The storage driver under the StatefulSet. */
  readonly name: StorageDriver;
  readonly client: KubeClient;
  /** The run namespace arrangePostgres made. */
  readonly namespace: string;
  readonly credentials: PostgresCredentials;
  /** The target's nodes, named like the Kubernetes nodes (spec.nodeName). */
  readonly nodes: readonly NodeAccess[];
  /** From the storage driver (storage-drivers.ts): its agent's and drive's node commands. */
  readonly agentCommands: (node: string) => AgentCommands;
  readonly driveCommands: (node: string) => DriveCommands;
  readonly expectations: Expectations;
  /** When the fault hits a node holding a storage replica, or neither (`--placement`). */
  readonly placedExpectations?: PlacedExpectations;
  /** The storage driver's view of which nodes hold the volume's data (none: it cannot tell). */
  readonly replicaNodes?: ReadReplicaNodes;
  /** health() also runs the agent and drive status commands on every node (default true). */
  readonly checkNodes?: boolean;
  /**
   * With checkNodes: run on the first node, exits non-zero (stderr says why) while the storage is
   * still repairing itself (Gluster: entries pending self-heal); the SUT is not settled meanwhile.
   */
  readonly storageCheck?: readonly string[];
  /** Run by settle() while the storage check fails, at most once a minute, on the first node where it exits 0. */
  readonly storageRepair?: readonly string[];
  /** Prints the storage software's version on a node (the fingerprint's `storage_version`). */
  readonly versionCommand?: readonly string[];
  /**
   * Force-delete the Postgres pod when its node has been NotReady this long (stuck-pod-remedy.ts):
   * the harness as the platform's recovery, where no storage operator (Stork) does it.
   */
  readonly forceDeleteStuckPodAfterMs?: number;
  /** Delete the pod when the storage on its node has been down this long (stuck-pod-remedy.ts). */
  readonly storageDownRemedy?: StorageDownRemedy;
  /** The run's timers the recovery's phases are predicted from (kube-run-timings.ts). */
  readonly timings?: TimingSettings;
  /** The storage driver's own state watch (storage-drivers.ts `watchState`), started with watch(). */
  readonly watchStorage?: (context: StorageStateWatchContext) => StorageStateWatch;
  /** Deadline to resolve the pod and open a forwarded connection (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Deadline of health's Postgres query and of each node status command (default 5 s). */
  readonly probeTimeoutMs?: number;
  /** Each connection through the write endpoint: pod, node, or why it failed. */
  readonly onConnection?: (event: ForwardedConnection) => void;
}

const STORAGE_CHECK_TIMEOUT_MS = 20_000;

/**
 * Postgres in a one-replica StatefulSet on replicated storage, seen from the harness: the part that
 * does not depend on the storage driver. The write endpoint is a local port-forward that follows
 * the StatefulSet's pod (re-resolved per connection), the primary node is that pod's node, health
 * is the pod Ready + Postgres accepting writes (+ the driver's agent and drive on every node).
 */
export class PostgresOnK8sSut implements Sut {
  readonly name: StorageDriver;
  /** The storage driver's (storage-drivers.ts): the same port `pxchaos inject` and `pxchaos plan` use. */
  readonly partitionProbePort: number;
  readonly nodes: readonly NodeAccess[];
  readonly expectations: Expectations;
  readonly placedExpectations: PlacedExpectations;
  readonly namespace: string;
  readonly timings: TimingSettings;
  private readonly client: KubeClient;
  private forward: Promise<PortForward> | undefined;
  private readonly watches = new Set<ObjectWatch>();
  private readonly storageWatches = new Set<StorageStateWatch>();
  private closed = false;

  constructor(private readonly options: PostgresOnK8sSutOptions) {
    this.name = options.name;
    this.partitionProbePort = STORAGE_DRIVER_PROFILES[options.name].partitionProbePort;
    this.nodes = options.nodes;
    this.expectations = options.expectations;
    this.placedExpectations = options.placedExpectations ?? {};
    this.namespace = options.namespace;
    this.client = options.client;
    this.timings = options.timings ?? {};
  }

  /** A local port whose every new connection reaches the pod serving now, wherever it runs. */
  async writeEndpoint(): Promise<PgEndpoint> {
    if (this.closed) throw new Error('PostgresOnK8sSut is closed');
    this.forward ??= forwardPort(this.client, {
      namespace: this.namespace,
      target: { podName: POSTGRES_POD },
      port: POSTGRES_PORT,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      ...(this.options.onConnection && { onConnection: this.options.onConnection }),
    });
    const forward = await this.forward.catch((err: unknown) => {
      this.forward = undefined;
      throw err;
    });
    const { user, database, password } = this.options.credentials;
    return { host: forward.host, port: forward.port, user, database, password };
  }

  /** pgbench inside the Postgres container (Unix socket), as the workshop does; ends with a CHECKPOINT. */
  loadPgbench(scale: number, request: PgbenchLoadRequest): Promise<{ readonly rows: number }> {
    return loadPgbench(this.client, postgresPod(this.namespace), scale, {
      progress: request.onProgress,
      ...(request.signal && { signal: request.signal }),
    });
  }

  /** spec.nodeName of the pod serving now (Running, Ready, not being deleted). */
  async primaryNode(signal?: AbortSignal): Promise<string> {
    const pod = await this.readPod(signal);
    if (!pod || !isPodServing(pod) || !pod.spec?.nodeName)
      throw new Error(`no node serves Postgres: ${describePodState(pod)}`);
    return pod.spec.nodeName;
  }

  /**
   * The pod's node is the primary; the nodes holding a replica of its volume (the driver says which)
   * other than that one are the replicas; the SUT's other nodes are bystanders. Where the driver cannot
   * tell, both are unknown: a node not known to hold a replica might hold one.
   */
  async nodeRoles(signal?: AbortSignal): Promise<NodeRoles> {
    const primary = await this.primaryNode(signal);
    const read = this.options.replicaNodes;
    const unknown = (why: string): NodeRoles => ({
      primary,
      replicas: [],
      bystanders: [],
      unknown: { replica: why, bystander: `${why}, so no node is known to hold none` },
    });
    if (!read) return unknown(`the ${this.name} driver cannot tell which nodes hold the volume's replicas`);
    const client = signal ? this.client.with({ signal }) : this.client;
    const claim = await client.call(`read claim ${this.namespace}/${DATA_CLAIM}`, () =>
      client.core.readNamespacedPersistentVolumeClaim({ name: DATA_CLAIM, namespace: this.namespace }),
    );
    const pvName = claim.spec?.volumeName;
    if (!pvName) throw new Error(`claim ${this.namespace}/${DATA_CLAIM} is not bound to a volume`);
    const volume = await client.call(`read volume ${pvName}`, () =>
      client.core.readPersistentVolume({ name: pvName }),
    );
    const found = await read({ client: this.client, volume, nodes: this.nodes, ...(signal && { signal }) });
    if ('unknown' in found) return unknown(found.unknown);
    const holders = new Set(found.map((r) => r.name));
    return {
      primary,
      replicas: found.filter((r) => r.name !== primary),
      bystanders: this.nodes
        .filter((n) => n.name !== primary && !holders.has(n.name))
        .map((n) => ({ name: n.name, role: `no replica of ${pvName}` })),
    };
  }

  private readPod(signal?: AbortSignal): Promise<V1Pod | undefined> {
    const client = signal ? this.client.with({ signal }) : this.client;
    return client
      .call(`read pod ${this.namespace}/${POSTGRES_POD}`, () =>
        client.core.readNamespacedPod({ name: POSTGRES_POD, namespace: this.namespace }),
      )
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
  }

  async health(signal?: AbortSignal): Promise<SutHealth> {
    return (await this.check(signal)).health;
  }

  /** health(), and whether the storage check was among the problems (settle then launches a repair). */
  private async check(signal?: AbortSignal): Promise<{ health: SutHealth; storageUnsettled: boolean }> {
    const problems: string[] = [];
    const checkNodes = this.options.checkNodes !== false;
    const [pod, writable, nodes, storage] = await Promise.all([
      this.readPod(signal).catch((err: unknown) => {
        problems.push(`Kubernetes API: ${(err as Error).message}`);
        return undefined;
      }),
      this.writeProblem(signal),
      checkNodes ? Promise.all(this.nodes.map((n) => this.nodeProblems(n, signal))) : [],
      checkNodes ? this.storageProblem(signal) : undefined,
    ]);
    const serving = pod !== undefined && isPodServing(pod);
    if (!serving && !problems.length) problems.push(`pod not serving: ${describePodState(pod)}`);
    if (writable) problems.push(writable);
    problems.push(...nodes.flat());
    if (storage) problems.push(storage);
    const primary = serving ? pod.spec?.nodeName : undefined;
    return {
      health: { healthy: problems.length === 0, ...(primary && { primary }), problems },
      storageUnsettled: storage !== undefined,
    };
  }

  /** Undefined when Postgres, reached through the write endpoint, accepts writes. */
  private async writeProblem(signal?: AbortSignal): Promise<string | undefined> {
    const p = await pgWriteProblem(await this.writeEndpoint(), {
      timeoutMs: this.options.probeTimeoutMs ?? 5_000,
      ...(signal && { signal }),
    });
    if (!p) return undefined;
    return 'readOnly' in p
      ? 'Postgres is read-only (in recovery)'
      : `Postgres not answering through the port-forward: ${p.error}`;
  }

  private async nodeProblems(node: NodeAccess, signal?: AbortSignal): Promise<string[]> {
    const found = await Promise.all([
      this.nodeCheck(node, 'agent', this.agentCommands(node.name).status, signal),
      this.nodeCheck(node, 'drive', this.driveCommands(node.name).status, signal),
    ]);
    return found.filter((p): p is string => p !== undefined);
  }

  private async storageProblem(signal?: AbortSignal): Promise<string | undefined> {
    const [node] = this.nodes;
    if (!node || !this.options.storageCheck) return undefined;
    // Two gluster commands per volume, each a round of glusterd RPCs: measured 0.7 s for 2 volumes
    // and 2.4 s for 6 on an idle machine, longer during a self-heal; 20 s, not the probe's 5 s.
    return this.nodeCheck(node, 'storage', this.options.storageCheck, signal, STORAGE_CHECK_TIMEOUT_MS);
  }

  /** For the fingerprint: the API server's version, the cluster's node count, the storage's version. */
  async platformVersions(signal?: AbortSignal): Promise<Readonly<Record<string, string>>> {
    const failed = (err: unknown) => `unknown (${(err as Error).message.split('\n')[0] ?? 'failed'})`;
    const [kubernetes, nodes, storage] = await Promise.all([
      this.client.serverVersion().catch(failed),
      this.client
        .call('list nodes', () => this.client.core.listNode())
        .then((list) => String(list.items.length), failed),
      this.storageVersion(signal).catch(failed),
    ]);
    return { kubernetes, nodes, ...(storage !== undefined && { storage_version: storage }) };
  }

  private async storageVersion(signal?: AbortSignal): Promise<string | undefined> {
    const [node] = this.nodes;
    const argv = this.options.versionCommand;
    if (!node || !argv) return undefined;
    const r = await node.exec(argv, { timeoutMs: 10_000, ...(signal && { signal }) });
    return r.stdout.trim().split('\n')[0] ?? '';
  }

  /** Undefined when the status command exits 0 on the node; else one line saying what is not healthy. */
  private async nodeCheck(
    node: NodeAccess,
    what: string,
    argv: readonly string[],
    signal?: AbortSignal,
    timeoutMs = this.options.probeTimeoutMs ?? 5_000,
  ): Promise<string | undefined> {
    const r = await node
      .exec(argv, {
        check: false,
        timeoutMs,
        ...(signal && { signal }),
      })
      .catch((err: unknown) => ({ exitCode: -1, stderr: (err as Error).message, stdout: '' }));
    return r.exitCode === 0
      ? undefined
      : `${node.name}: ${this.name} ${what} not healthy${r.stderr.trim() ? ` (${r.stderr.trim().split('\n')[0] ?? ''})` : ''}`;
  }

  /**
   * Waits until healthy; polls every second until the signal aborts, then throws the last problems.
   * While the storage check fails, launches the driver's repair (on one node after the other until
   * one succeeds), at most once a minute.
   */
  async settle(signal: AbortSignal, onCheck?: (health: SutHealth) => void): Promise<SutHealth> {
    let last: SutHealth | undefined;
    let repairedAt = -Infinity;
    for (;;) {
      if (signal.aborted)
        throw new Error(
          `Postgres on Kubernetes did not settle: ${last ? last.problems.join('; ') : 'no health check finished'}`,
          { cause: signal.reason },
        );
      const { health, storageUnsettled } = await this.check(signal).catch((err: unknown) => ({
        health: { healthy: false, problems: [(err as Error).message] },
        storageUnsettled: false,
      }));
      if (health.healthy) return health;
      // A check cut short by the deadline says only "aborted": keep the last one that finished.
      if (!signal.aborted || !last) last = health;
      onCheck?.(last);
      const repair = this.options.storageRepair;
      if (repair && storageUnsettled && performance.now() - repairedAt > 60_000) {
        repairedAt = performance.now();
        for (const node of this.nodes) {
          const r = await node
            .exec(repair, { check: false, timeoutMs: 30_000, signal })
            .catch(() => undefined);
          if (r?.exitCode === 0) break;
        }
      }
      await sleep(1000, undefined, { signal }).catch(() => undefined);
    }
  }

  agentCommands(node: string): AgentCommands {
    return this.options.agentCommands(node);
  }

  driveCommands(node: string): DriveCommands {
    return this.options.driveCommands(node);
  }

  /**
   * Streams the platform's view into the timeline, each with the node it concerns:
   * - the StatefulSet's pods: pod-created / -scheduled / -ready / -not-ready / -terminating / -deleted;
   * - the SUT's nodes: node-ready / node-not-ready (with Kubernetes' transition time);
   * - the run's claims and their volumes: claim-<phase>, volume-<phase>;
   * - Kubernetes Events in the run namespace and on the SUT's nodes: k8s:<reason> (NodeNotReady,
   *   TaintManagerEviction, Killing, Scheduled, FailedMount, FailedAttachVolume, and Stork's
   *   StorageDriverOffline / NodeLost on the pod, with the node they concern);
   * - the storage's own state where the driver watches it (watchStorage: Portworx's px-node-<status>,
   *   px-volume, px-state-unreadable), until the signal is aborted.
   * A watch that gives up (API server away for 5 min) is reported as watch-failed. With
   * forceDeleteStuckPodAfterMs, the node events also drive the StuckPodRemedy (pod-force-deleted);
   * with storageDownRemedy, the storage's own events do (the pod deleted after its storage went down).
   */
  watch(onEvent: (e: SutEvent) => void, signal: AbortSignal): void {
    const ns = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}`;
    const mine = new Set(this.nodes.map((n) => n.name));
    const afterMs = this.options.forceDeleteStuckPodAfterMs;
    const storageDown = this.options.storageDownRemedy;
    const remedy =
      afterMs === undefined && storageDown === undefined
        ? undefined
        : new StuckPodRemedy({
            client: this.client,
            namespace: this.namespace,
            pod: POSTGRES_POD,
            ...(afterMs !== undefined && { afterMs }),
            ...(storageDown && { storageDown }),
            onEvent,
            signal,
          });
    const onNode = (e: SutEvent): void => {
      if (e.node && !mine.has(e.node)) return;
      onEvent(e);
      remedy?.observe(e);
    };
    const track = (path: string, w: ObjectWatch): void => {
      this.watches.add(w);
      w.done.then(
        () => this.watches.delete(w),
        (err: unknown) => {
          this.watches.delete(w);
          onEvent({ event: 'watch-failed', detail: `${path}: ${(err as Error).message}` });
        },
      );
    };
    const watch = <T extends KubeObjectLike, V>(
      path: string,
      view: (o: T) => V,
      transitions: (before: V | undefined, event: WatchEvent<T>) => SutEvent[],
      deliver: (e: SutEvent) => void,
      options: TransitionWatchOptions = {},
    ): void =>
      track(path, watchTransitions(this.client, path, view, transitions, deliver, { signal, ...options }));
    const phase = (o: { status?: { phase?: string } }): string => o.status?.phase ?? 'Pending';
    const eventCount = (e: CoreV1Event): number => e.count ?? 1;

    // The pod's node by name, for Events that name the pod but not its node (Stork's NodeLost).
    const podNodes = new Map<string, string>();
    watch<V1Pod, PodView>(
      `${ns}/pods`,
      podView,
      (before, e) => {
        const name = e.object.metadata?.name;
        if (name && e.object.spec?.nodeName) podNodes.set(name, e.object.spec.nodeName);
        return podTransitions(before, e);
      },
      onEvent,
      { labelSelector: `app=${POSTGRES_APP}`, reportInitial: true },
    );
    watch<V1Node, NodeView>('/api/v1/nodes', nodeView, nodeTransitions, onNode);
    watch<V1PersistentVolumeClaim, string>(`${ns}/persistentvolumeclaims`, phase, claimTransitions, onEvent);
    watch<V1PersistentVolume, string>(
      '/api/v1/persistentvolumes',
      phase,
      (before, e) => volumeTransitions(before, e, this.namespace),
      onEvent,
    );
    watch<CoreV1Event, number>(
      `${ns}/events`,
      eventCount,
      (before, e) => kubeEventTransitions(before, e, (pod) => podNodes.get(pod)),
      onEvent,
      { initialEvents: false },
    );
    watch<CoreV1Event, number>('/api/v1/events', eventCount, kubeEventTransitions, onNode, {
      fieldSelector: 'involvedObject.kind=Node',
      initialEvents: false,
    });
    const storage = this.options.watchStorage?.({
      client: this.client,
      namespace: this.namespace,
      onEvent: onNode,
      signal,
    });
    if (storage) {
      this.storageWatches.add(storage);
      void storage.stopped().finally(() => signal.aborted && this.storageWatches.delete(storage));
    }
  }

  /** Stops the port-forward (and its connections) and every watch; the namespace stays (teardown deletes it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.watches].map((w) => w.stop()));
    await Promise.all([...this.storageWatches].map((w) => w.stopped()));
    const forward = await this.forward?.catch(() => undefined);
    await forward?.close();
  }
}

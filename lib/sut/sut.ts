import type { NodeAccess } from '../nodes/node-access.js';
import type { Expectations, PlacedExpectations } from './expectations.js';
import type { NodeRoles } from './placement.js';
import type { TimingSettings } from './recovery-phases.js';

/** Connection parameters for Postgres; the password never goes into logs or reports. */
export interface PgEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Argv arrays run on a node to control the SUT's per-node agent (Patroni, Portworx). */
export interface AgentCommands {
  /** Crash the agent (it stays down unless something restarts it). */
  readonly kill: readonly string[];
  readonly stop: readonly string[];
  readonly start: readonly string[];
  /** Exits 0 when the agent is running. */
  readonly status: readonly string[];
  /**
   * `kill` (and `stop`) keep the agent down until `start`: its status is checked through the whole
   * hold, and an agent up again before the heal fails the fault's "took hold" check.
   */
  readonly staysDown?: boolean;
  /**
   * When `kill` is a crash the agent recovers from by itself (Portworx's pkill -9 px-storage):
   * what holds it down instead for the past-grace fault, and starts it again (it stays down).
   */
  readonly holdDown?: { readonly kill: readonly string[]; readonly start: readonly string[] };
}

/** Argv arrays run on a node to fail and restore its data drive. */
export interface DriveCommands {
  /** I/O blocks. */
  readonly hang: readonly string[];
  /** I/O fails; absent where the drive can only hang (the local driver: docs/local-driver.md). */
  readonly error?: readonly string[];
  /** Undo either of the above (idempotent). */
  readonly restore: readonly string[];
  /** Exits 0 when the drive is healthy. */
  readonly status: readonly string[];
}

export interface SutHealth {
  readonly healthy: boolean;
  /** Node serving writes, if any. */
  readonly primary?: string;
  /** One line per problem (a replica not streaming, an agent down...). */
  readonly problems: readonly string[];
}

/** A platform event as seen by the SUT adapter (leader change, pod rescheduled...). */
export interface SutEvent {
  readonly event: string;
  readonly node?: string;
  readonly detail?: string;
  /** The platform's own timestamp of the change (ISO 8601), when it gives one (Kubernetes does). */
  readonly at?: string;
}

export interface PgbenchLoadRequest {
  readonly signal?: AbortSignal;
  readonly onProgress: (line: string) => void;
}

/** The system under test: storage/HA layer + Postgres. Scenarios only see this interface. */
export interface Sut {
  /**
   * For messages and reports: patroni (the lab), or the storage driver Postgres runs on on
   * Kubernetes (its name in the driver registry, lib/sut/postgres-on-k8s/storage-drivers.ts).
   */
  readonly name: string;
  readonly nodes: readonly NodeAccess[];
  /** When the fault hits the primary's node. */
  readonly expectations: Expectations;
  /** When it hits a replica's or a bystander's node (`--placement`). */
  readonly placedExpectations: PlacedExpectations;
  /** An endpoint whose new connections reach the current primary. */
  writeEndpoint(signal?: AbortSignal): Promise<PgEndpoint>;
  /**
   * `pgbench -i -s <scale>` where this SUT runs it best (through the endpoint, or inside the pod);
   * resolves to the pgbench_accounts row count, which is 100,000 × scale or it throws.
   */
  loadPgbench(scale: number, request: PgbenchLoadRequest): Promise<{ readonly rows: number }>;
  /** Name of the node serving writes now. */
  primaryNode(signal?: AbortSignal): Promise<string>;
  /** Which node serves writes, which hold a copy of the data, which neither: where a placed fault goes. */
  nodeRoles(signal?: AbortSignal): Promise<NodeRoles>;
  health(signal?: AbortSignal): Promise<SutHealth>;
  /**
   * Waits until healthy (a primary, replicas streaming, agents up) or the signal aborts; `onCheck`
   * sees every health check that was not healthy yet (progress for a settle that takes minutes).
   */
  settle(signal: AbortSignal, onCheck?: (health: SutHealth) => void): Promise<SutHealth>;
  agentCommands(node: string): AgentCommands;
  driveCommands(node: string): DriveCommands;
  /**
   * A port every node of the SUT listens on (the storage driver's, or Postgres in the lab): a
   * partition is verified by TCP to it being cut from a peer, and answering again after the heal.
   */
  readonly partitionProbePort: number;
  /**
   * The platform's versions for the run's fingerprint (lib/observe/run-fingerprint.ts): e.g.
   * `kubernetes`, `nodes`, `storage_version`, `patroni`. Optional: a SUT without it adds none.
   */
  platformVersions?(signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
  /**
   * The timers the recovery's phases follow from, as this run knows them, each with its source
   * (Patroni's ttl and loop_wait, the harness's force delete, tolerationSeconds…): saved with the
   * timeline so the phases' predictions are recomputable from it.
   */
  readonly timings?: TimingSettings;
  /**
   * How soon a client may connect again after a failed connect without loading the platform (the
   * recovery sentinel's pause, lib/workload/recovery-sentinel.ts). Absent: the probe's interval — on
   * Kubernetes every connect is a pod lookup and a port-forward through the API server.
   */
  readonly reconnectPauseMs?: number;
  /** Streams platform events until the returned function is called. */
  watch(onEvent: (e: SutEvent) => void, signal: AbortSignal): void;
  close(): Promise<void>;
}

/**
 * What the SUT's faults act with: its agent's and drive's node commands, and the port a partition is
 * verified on. A run's Sut, `pxchaos inject`'s fault surface and `pxchaos plan` take all three from
 * one declaration per SUT (storage-drivers.ts for gluster and portworx, lab-node-commands.ts for the lab).
 */
export type SutFaultCommands = Pick<Sut, 'agentCommands' | 'driveCommands' | 'partitionProbePort'>;

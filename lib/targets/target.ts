import type { NodeAccess } from '../nodes/node-access.js';
import type { Sut, SutFaultCommands } from '../sut/sut.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

export type TargetName = PxchaosConfig['target'];

/** A target that is up, with its SUT ready to be driven. */
export interface OpenTarget {
  readonly name: TargetName;
  readonly sut: Sut;
  /** What opening it found and cleaned up (a dead run's namespace removed): for the report. */
  readonly notes?: readonly string[];
  close(): Promise<void>;
}

/**
 * What a fault by hand (`pxchaos inject`) acts on: the target's nodes where the SUT runs, with the
 * SUT's agent and drive commands and its partition probe port (the same as a run's Sut has), found by
 * the target's preflight (blast-radius guard included).
 */
export interface FaultSurface extends SutFaultCommands {
  /** "lab 'pxchaos'", "kind cluster 'pxkube'", "cluster https://…": for messages. */
  readonly where: string;
  /** Why there may be no nodes at all (e.g. which labels the lab's containers need). */
  readonly noNodesHint?: string;
  readonly nodes: ReadonlyMap<string, NodeAccess>;
  close(): Promise<void>;
}

/** A Kubernetes target's cluster as `pxchaos teardown` acts on it: the API server and every node. */
export interface ClusterAccess {
  /** "kind cluster 'pxkube'", "cluster https://…": for messages. */
  readonly where: string;
  readonly kubeconfig: string;
  readonly context: string;
  /** Every Kubernetes node by name, the control plane too. */
  nodeAccess(node: string): NodeAccess | undefined;
  close(): Promise<void>;
}

/** What a preflight found: the run lock's name, and a Kubernetes cluster to take the run lease on. */
export interface Preflight {
  readonly lockName: string;
  /** An existing Kubernetes cluster: one run at a time on it from anywhere (lib/k8s/run-lease.ts). */
  readonly leaseOn?: { readonly kubeconfig: string; readonly context: string };
}

/**
 * Where scenarios run (the lab, a kind cluster, VMs). Each target is one implementation of this
 * interface, registered in targets.ts; nothing else branches on the target's name.
 */
export interface Target {
  readonly name: TargetName;
  /**
   * Checks, touching nothing, that this target can be used at all (Docker there, the cluster named
   * unambiguously, access configured): throws UsageError (exit 2) or EnvironmentError (exit 3) with
   * one line. Resolves to the name of the run lock: one run per lab or cluster at a time.
   */
  preflight(signal?: AbortSignal): Promise<Preflight>;
  /** Gets the target ready (reusing a healthy one) and opens its SUT, expectations and thresholds applied. */
  open(progress: (line: string) => void, signal?: AbortSignal): Promise<OpenTarget>;
  /** After the preflight, the nodes and commands a fault by hand acts on; arranges nothing. */
  faultSurface(signal?: AbortSignal): Promise<FaultSurface>;
  /**
   * Kubernetes targets: the checked cluster and its nodes, creating nothing (undefined: no cluster
   * exists, so nothing was provisioned on it).
   */
  clusterAccess?(signal?: AbortSignal): Promise<ClusterAccess | undefined>;
}

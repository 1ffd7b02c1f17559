import type { V1PersistentVolume } from '@kubernetes/client-node';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import type { RoleNode } from '../placement.js';

export interface ReplicaNodesRequest {
  readonly client: KubeClient;
  /** The PersistentVolume bound to the Postgres pod's data claim. */
  readonly volume: V1PersistentVolume;
  /** The SUT's nodes (named like the Kubernetes nodes), to run the driver's own tools on. */
  readonly nodes: readonly NodeAccess[];
  readonly signal?: AbortSignal;
}

/** The nodes holding a replica of the volume, or why the driver cannot tell (yet). */
export type ReplicaNodes = readonly RoleNode[] | { readonly unknown: string };

/** A storage driver's answer to "which nodes hold this volume's data" (storage-drivers.ts). */
export type ReadReplicaNodes = (request: ReplicaNodesRequest) => Promise<ReplicaNodes>;

import type { NodeAccess } from '../nodes/node-access.js';
import type { PxchaosConfig } from '../pxchaos-config.js';
import { kubeLabPostgresImage } from '../kube-lab/kube-lab-inspect.js';
import type { ExistingClusterPreflight } from './kube-cluster-check.js';
import type { KubeTargetTraits } from './kube-target-traits.js';
import { openPostgresOnKube } from './open-postgres-on-kube.js';
import type { ClusterAccess, OpenTarget, TargetName } from './target.js';

/** A checked cluster and the nodes a target made for it (SSH, helper pods): closed with the target. */
export interface ClusterWithNodes extends Pick<
  ExistingClusterPreflight,
  'kubeconfig' | 'context' | 'server' | 'kubeLab'
> {
  readonly target: TargetName;
  readonly traits: KubeTargetTraits;
  /** Where Postgres runs and faults go. */
  readonly workers: readonly NodeAccess[];
  /** Every Kubernetes node, for the storage driver's provisioning. */
  readonly every: readonly NodeAccess[];
}

const closeAll = (nodes: readonly NodeAccess[]): Promise<unknown> => Promise.all(nodes.map((n) => n.close()));

/** `open` of a target over nodes it made: Postgres on the cluster; the nodes closed after it, or on a failed open. */
export async function openOverNodes(
  config: PxchaosConfig,
  cluster: ClusterWithNodes,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<OpenTarget> {
  const nodes = [...cluster.workers, ...cluster.every];
  try {
    const kubeLabImage = cluster.kubeLab ? await kubeLabPostgresImage(cluster.kubeLab) : undefined;
    const open = await openPostgresOnKube(
      config,
      {
        target: cluster.target,
        traits: cluster.traits,
        kubeconfig: cluster.kubeconfig,
        context: cluster.context,
        nodes: cluster.workers,
        nodeAccess: (node) => cluster.every.find((n) => n.name === node),
        ...(kubeLabImage && { kubeLabImage }),
      },
      progress,
      signal,
    );
    return {
      ...open,
      async close() {
        await open.close().finally(() => closeAll(nodes));
      },
    };
  } catch (err) {
    await closeAll(nodes);
    throw err;
  }
}

/** `clusterAccess` of a target over nodes it made (for `teardown`): every node, closed with it. */
export function clusterAccessOverNodes(cluster: Omit<ClusterWithNodes, 'workers'>): ClusterAccess {
  return {
    where: `cluster ${cluster.server}`,
    kubeconfig: cluster.kubeconfig,
    context: cluster.context,
    nodeAccess: (node) => cluster.every.find((n) => n.name === node),
    close: async () => {
      await closeAll(cluster.every);
    },
  };
}

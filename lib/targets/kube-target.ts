import { UsageError } from '../errors.js';
import { connectKube } from '../k8s/kube-client.js';
import { kubeLabPostgresImage } from '../kube-lab/kube-lab-inspect.js';
import type { PodNodeAddress } from '../nodes/node-access.js';
import { hostExecArgv } from '../nodes/pod/host-exec-argv.js';
import { helperPodSpec } from '../nodes/pod/helper-pod-spec.js';
import { admitHelperPods, clearDeadRunHelpers } from '../nodes/pod/helper-pods.js';
import { PodNode } from '../nodes/pod/pod-node.js';
import { ownerAnnotations } from '../sut/postgres-on-k8s/run-namespace-owner.js';
import { postgresK8sSettings, TARGET_IMAGE_PLACEHOLDER } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { PxchaosConfig } from '../pxchaos-config.js';
import {
  checkKubeCluster,
  existingClusterPreflight,
  type ExistingClusterPreflight,
} from './kube-cluster-check.js';
import type { KubeLabControlPlaneIps } from './kube-context-guard.js';
import { kubeFaultSurface } from './kube-fault-surface.js';
import { storageDriverOf, type KubeTargetTraits } from './kube-target-traits.js';
import { clusterAccessOverNodes, openOverNodes, type ClusterWithNodes } from './open-with-nodes.js';
import type { ClusterAccess, FaultSurface, OpenTarget, Target } from './target.js';

/** kube runs on any cluster a kubeconfig reaches, Portworx by default; nodes through helper pods. */
export const KUBE_TRAITS: KubeTargetTraits = {
  defaultDriver: 'portworx',
  nodeAccess: (config) =>
    `a privileged helper pod per node in ${config.kube.nodeAccess.namespace}, through the Kubernetes API only (no SSH, no Docker)`,
  nodeAccessPlan: (config) => {
    const helper = helperImage(config);
    return {
      helperPod: helperPodSpec({
        ...helper,
        node: '<node>',
        namespace: config.kube.nodeAccess.namespace,
        owner: { 'pxchaos.io/owner-pid': '<pid>', 'pxchaos.io/owner-host': '<host>' },
      }),
      lifetime: 'one per node, made when the run first needs the node and deleted when it ends',
      eachCommand: hostExecArgv(['<a fault command below>']),
      keptByAPartition:
        'TCP 10250 (the kubelet: the helper is reached through it); the harness treats its own other routes to the cut node as cut',
    };
  },
};

/**
 * The helper pods' image: `kube.nodeAccess.image` (with its own pull policy, if any), else the image
 * Postgres runs from, with Postgres's pull policy (on a kube lab: its image, never pulled).
 */
function helperImage(
  config: PxchaosConfig,
  kubeLabImage?: string,
): Pick<PodNodeAddress, 'image' | 'imagePullPolicy'> {
  const { image, imagePullPolicy } = config.kube.nodeAccess;
  if (image) return { image, ...(imagePullPolicy && { imagePullPolicy }) };
  const postgres = postgresK8sSettings(config.kube, storageDriverOf(config, KUBE_TRAITS), kubeLabImage);
  const pullPolicy = imagePullPolicy ?? postgres.imagePullPolicy;
  return { image: postgres.image, ...(pullPolicy && { imagePullPolicy: pullPolicy }) };
}

export interface KubePreflight extends ExistingClusterPreflight {
  /** How every node is reached (the helper pod's image and namespace). */
  readonly helper: Omit<PodNodeAddress, 'kind' | 'node'>;
}

export interface KubeTargetOptions {
  readonly controlPlaneIps?: KubeLabControlPlaneIps;
}

/**
 * `--target kube`: any Kubernetes cluster, reached with a kubeconfig alone. Node commands go through
 * a privileged helper pod pinned to each node (lib/nodes/pod/); the context guard is the vm target's
 * (kube.allowedContexts, a kube lab's own context allowed). The preflight asks the cluster, by a
 * server-side dry run of the real helper spec on every worker, whether it admits the helpers: a
 * cluster that refuses privileged pods (Pod Security admission, a policy webhook, RBAC) ends the
 * run there, exit 3, before any fault.
 */
export class KubeTarget implements Target {
  readonly name = 'kube' as const;

  constructor(
    private readonly config: PxchaosConfig,
    private readonly options: KubeTargetOptions = {},
  ) {}

  async preflight(signal?: AbortSignal): Promise<KubePreflight> {
    const { kube } = this.config;
    if (!kube.kubeconfig) throw new UsageError('target kube: set kube.kubeconfig (the cluster to run on)');
    const checked = await checkKubeCluster({
      target: 'kube',
      kubeconfig: kube.kubeconfig,
      ...(kube.context !== undefined && { context: kube.context }),
      allowedContexts: kube.allowedContexts,
      ...(this.options.controlPlaneIps && { controlPlaneIps: this.options.controlPlaneIps }),
      ...(signal && { signal }),
    });
    const kubeLab = checked.permit.by === 'kube-lab' ? checked.permit.kubeLab : undefined;
    const helper = await this.helperAccess(checked.kubeconfig, checked.context, kubeLab);
    const client = await connectKube({
      kubeconfig: checked.kubeconfig,
      context: checked.context,
      requestTimeoutMs: 10_000,
      ...(signal && { signal }),
    });
    await admitHelperPods(client, checked.workerNames, { ...helper, owner: ownerAnnotations() });
    return { ...existingClusterPreflight(checked, checked.nodeNames), helper };
  }

  async open(progress: (line: string) => void, signal?: AbortSignal): Promise<OpenTarget> {
    const found = await this.preflight(signal);
    // A run killed with -9 never deleted its helpers: removed once their owner is provably dead.
    const client = await connectKube({ kubeconfig: found.kubeconfig, context: found.context });
    for (const line of await clearDeadRunHelpers(client, found.helper.namespace)) progress(line);
    return openOverNodes(this.config, this.withNodes(found), progress, signal);
  }

  async faultSurface(signal?: AbortSignal): Promise<FaultSurface> {
    const found = await this.preflight(signal);
    const nodes = this.nodes(found, found.workers);
    return kubeFaultSurface(this.config, KUBE_TRAITS, `cluster ${found.server}`, nodes, async () => {
      await Promise.all(nodes.map((n) => n.close()));
    });
  }

  async clusterAccess(signal?: AbortSignal): Promise<ClusterAccess> {
    return clusterAccessOverNodes(this.withNodes(await this.preflight(signal)));
  }

  /** The cluster with a helper-pod node for each of its nodes (each helper made on first use). */
  private withNodes(found: KubePreflight): ClusterWithNodes {
    const every = this.nodes(found, found.nodes);
    return {
      ...found,
      target: this.name,
      traits: KUBE_TRAITS,
      workers: every.filter((n) => found.workers.includes(n.name)),
      every,
    };
  }

  private nodes(found: KubePreflight, names: readonly string[]): PodNode[] {
    return names.map((node) => new PodNode(node, { ...found.helper, node }));
  }

  /** The helper pods' namespace and image: `kube.nodeAccess`, else the image Postgres runs from. */
  private async helperAccess(
    kubeconfig: string,
    context: string,
    kubeLab: string | undefined,
  ): Promise<Omit<PodNodeAddress, 'kind' | 'node'>> {
    const helper = helperImage(this.config, kubeLab ? await kubeLabPostgresImage(kubeLab) : undefined);
    if (helper.image === TARGET_IMAGE_PLACEHOLDER)
      throw new UsageError(
        'target kube: no image for the helper pods: set kube.nodeAccess.image (any image with nsenter, awk and coreutils) or kube.image',
      );
    return { kubeconfig, context, namespace: this.config.kube.nodeAccess.namespace, ...helper };
  }
}

export const kubeTarget = (config: PxchaosConfig, options?: KubeTargetOptions): KubeTarget =>
  new KubeTarget(config, options);

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { requireDocker } from '../docker/docker-cli.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { defaultStateDir } from '../faults/journal.js';
import { kubeLabAccessPaths, kubeLabContext } from '../kube-lab/kube-lab-access.js';
import { KIND_CLUSTER_LABEL } from '../kube-lab/kube-lab-layout.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { findKindNodeContainers, type KindNodeContainer } from './kind-node-containers.js';
import { findKindCli, kindCreateCluster, kindGetKubeconfig } from './kind-cli.js';
import { checkKubeCluster, nodeNameMismatch } from './kube-cluster-check.js';
import { guardKubeContext, type KubeLabControlPlaneIps } from './kube-context-guard.js';
import { kubeLabPostgresImage } from '../kube-lab/kube-lab-inspect.js';
import { recycleReleasedVolumes } from '../kube-lab/gluster-storage.js';
import { openPostgresOnKube } from './open-postgres-on-kube.js';
import { kubeFaultSurface } from './kube-fault-surface.js';
import type { ClusterAccess, FaultSurface, OpenTarget, Target } from './target.js';
import type { KubeTargetTraits } from './kube-target-traits.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/** What the kind target's preflight found: an existing cluster, or one it will create in open(). */
export type KindPreflight =
  | {
      readonly lockName: string;
      readonly plan: 'use';
      readonly cluster: string;
      /** The cluster is a kube lab (`pxchaos kube-lab up`), not a kind-made one. */
      readonly kubeLab: boolean;
      readonly kubeconfig: string;
      readonly context: string;
      readonly leaseOn: { readonly kubeconfig: string; readonly context: string };
      readonly server: string;
      /** Every node, reached by `docker exec` on its container (container name = node name). */
      readonly nodes: readonly DockerExecNode[];
      /** The nodes that are not the control plane: where Postgres runs and faults go. */
      readonly workers: readonly DockerExecNode[];
      readonly containers: readonly KindNodeContainer[];
    }
  | {
      readonly lockName: string;
      readonly plan: 'create';
      readonly cluster: string;
      readonly kindCli: string;
      readonly configFile: string;
      readonly kubeconfig: string;
      readonly context: string;
    };

export interface KindTargetOptions {
  /** For PATH (where `kind` is looked up); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly controlPlaneIps?: KubeLabControlPlaneIps;
}

/** Where the kind target keeps a real kind cluster's kubeconfig (from `kind get kubeconfig`). */
export function kindKubeconfigPath(cluster: string): string {
  return join(defaultStateDir(), 'kind-clusters', cluster, 'kubeconfig');
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** kind runs on the kube lab here (GlusterFS; Portworx on kind is unsupported); nodes by docker exec. */
export const KIND_TRAITS: KubeTargetTraits = {
  defaultDriver: 'gluster',
  nodeAccess: (config) =>
    `docker exec into the node containers labelled io.x-k8s.kind.cluster=${config.kind.clusterName}`,
};

/**
 * `--target kind`: a kind cluster found by kind's container labels (`io.x-k8s.kind.cluster` =
 * `kind.clusterName`), which is also how a kube lab is found; nodes are reached by `docker exec`.
 * No such cluster: created from kind-config.yaml in open() when the `kind` CLI is installed.
 */
export class KindTarget implements Target {
  readonly name = 'kind' as const;
  private readonly cluster: string;

  constructor(
    private readonly config: PxchaosConfig,
    private readonly options: KindTargetOptions = {},
  ) {
    this.cluster = config.kind.clusterName;
  }

  get lockName(): string {
    return `kind cluster ${this.cluster}`;
  }

  async preflight(signal?: AbortSignal): Promise<KindPreflight> {
    await requireDocker();
    const containers = await findKindNodeContainers(this.cluster, signal);
    if (!containers.length) return this.planCreate(signal);

    const stopped = containers.filter((c) => c.state !== 'running');
    const kubeLab = containers.some((c) => c.kubeLab === this.cluster);
    if (stopped.length) {
      const fix = kubeLab
        ? `pxchaos kube-lab up --name ${this.cluster} repairs it`
        : `start them (docker start ${stopped.map((c) => c.name).join(' ')})`;
      throw new EnvironmentError(
        `target kind: cluster '${this.cluster}' has node containers not running: ${stopped.map((c) => `${c.name} (${c.state})`).join(', ')}; ${fix}`,
      );
    }
    const context = kubeLabContext(this.cluster);
    const kubeconfig = await this.kubeconfigOf(kubeLab, signal);
    const checked = await checkKubeCluster({
      target: 'kind',
      kubeconfig,
      context,
      allowedContexts: this.config.kube.allowedContexts,
      ...(kubeLab && {
        missingKubeconfigHint: ` (kube lab '${this.cluster}' writes it on pxchaos kube-lab up; another PXCHAOS_STATE_DIR?)`,
      }),
      ...(this.options.controlPlaneIps && { controlPlaneIps: this.options.controlPlaneIps }),
      ...(signal && { signal }),
    });
    const mismatch = nodeNameMismatch(
      containers.map((c) => c.name),
      checked.nodeNames,
      {
        oursOnly: 'node containers that are not Kubernetes nodes',
        kubeOnly: 'Kubernetes nodes without a container',
      },
    );
    if (mismatch)
      throw new EnvironmentError(`target kind: cluster '${this.cluster}' (context ${context}): ${mismatch}`);
    return {
      lockName: this.lockName,
      plan: 'use',
      cluster: this.cluster,
      leaseOn: { kubeconfig, context },
      kubeLab,
      kubeconfig,
      context,
      server: checked.server,
      nodes: containers.map((c) => new DockerExecNode(c.name, c.name)),
      workers: checked.workerNames.map((n) => new DockerExecNode(n, n)),
      containers,
    };
  }

  async open(progress: (line: string) => void, signal?: AbortSignal): Promise<OpenTarget> {
    // The guard and every check again: open() may be reached without a preflight (a spec run alone).
    let found = await this.preflight(signal);
    if (found.plan === 'create') {
      progress(`kind create cluster --name ${found.cluster} --config ${found.configFile}`);
      await mkdir(dirname(found.kubeconfig), { recursive: true, mode: 0o700 });
      await kindCreateCluster(found.kindCli, {
        name: found.cluster,
        configFile: found.configFile,
        kubeconfig: found.kubeconfig,
        ...(signal && { signal }),
      });
      found = await this.preflight(signal);
    }
    if (found.plan !== 'use')
      throw new EnvironmentError(`target kind: cluster '${found.cluster}' not found after kind created it`);
    const kubeLabImage = found.kubeLab ? await kubeLabPostgresImage(found.cluster) : undefined;
    if (found.kubeLab && !kubeLabImage && !this.config.kube.image)
      throw new EnvironmentError(
        `target kind: kube lab '${found.cluster}' predates the PostgreSQL image label; pxchaos kube-lab up --name ${found.cluster} recreates it`,
      );
    return openPostgresOnKube(
      this.config,
      {
        target: this.name,
        traits: KIND_TRAITS,
        kubeconfig: found.kubeconfig,
        context: found.context,
        nodes: found.workers,
        nodeAccess: (node) => found.nodes.find((n) => n.name === node),
        ...(kubeLabImage && { kubeLabImage }),
        ...(found.kubeLab && {
          reclaimVolumes: (say: (line: string) => void, s?: AbortSignal) =>
            this.recycleKubeLabVolumes(found, say, s),
        }),
      },
      progress,
      signal,
    );
  }

  /** The kube lab's volumes earlier runs released, made claimable again (its PVs are a fixed pool). */
  private async recycleKubeLabVolumes(
    found: Extract<KindPreflight, { plan: 'use' }>,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const controlPlane = found.containers.find((c) => c.role === 'control-plane');
    // Every worker: those holding a brick of the volume empty it (lib/kube-lab/gluster-storage.ts).
    if (!controlPlane || found.workers.length === 0)
      throw new EnvironmentError(
        `target kind: kube lab '${found.cluster}' has no control-plane or worker container; pxchaos kube-lab up --name ${found.cluster} repairs it`,
      );
    await recycleReleasedVolumes(controlPlane.name, found.workers, progress, signal);
  }

  /** The cluster's worker containers, by docker exec; a cluster that does not exist is not created. */
  async faultSurface(signal?: AbortSignal): Promise<FaultSurface> {
    const found = await this.preflight(signal);
    if (found.plan !== 'use')
      throw new EnvironmentError(
        `target kind: no cluster '${found.cluster}' to act on (a run would create it)`,
      );
    return kubeFaultSurface(this.config, KIND_TRAITS, `kind cluster '${found.cluster}'`, found.workers);
  }

  /** The cluster and every node container; undefined when there is no cluster (none is created). */
  async clusterAccess(signal?: AbortSignal): Promise<ClusterAccess | undefined> {
    const found = await this.preflight(signal);
    if (found.plan !== 'use') return undefined;
    return {
      where: `kind cluster '${found.cluster}'`,
      kubeconfig: found.kubeconfig,
      context: found.context,
      nodeAccess: (node) => found.nodes.find((n) => n.name === node),
      close: async () => {},
    };
  }

  /** No cluster of that name: create it in open() if kind is installed; otherwise say how to get one. */
  private async planCreate(signal?: AbortSignal): Promise<KindPreflight> {
    const kindCli = await findKindCli(this.options.env);
    if (!kindCli)
      throw new EnvironmentError(
        `target kind: no cluster '${this.cluster}' (no container labelled ${KIND_CLUSTER_LABEL}=${this.cluster}) and no kind CLI on PATH to create one; start a local Kubernetes with: pxchaos kube-lab up --name ${this.cluster}`,
      );
    const { configFile } = this.config.kind;
    if (!(await isFile(configFile)))
      throw new UsageError(
        `target kind: kind.configFile ${configFile} not found (needed to create cluster '${this.cluster}')`,
      );
    const context = kubeLabContext(this.cluster);
    // A cluster about to be created is guarded like any other: its server is not known yet, so only
    // the configuration can allow it.
    await guardKubeContext('kind', { context, server: '' }, this.config.kube.allowedContexts, {
      ...(signal && { signal }),
    });
    return {
      lockName: this.lockName,
      plan: 'create',
      cluster: this.cluster,
      kindCli,
      configFile,
      kubeconfig: this.config.kind.kubeconfig ?? kindKubeconfigPath(this.cluster),
      context,
    };
  }

  /**
   * `kind.kubeconfig` when set; else a kube lab's own file; else `kind get kubeconfig --name`,
   * kept (mode 0600) in the state directory so later steps read the same file.
   */
  private async kubeconfigOf(kubeLab: boolean, signal?: AbortSignal): Promise<string> {
    if (this.config.kind.kubeconfig) return this.config.kind.kubeconfig;
    if (kubeLab) return kubeLabAccessPaths(this.cluster).kubeconfig;
    const kindCli = await findKindCli(this.options.env);
    if (!kindCli)
      throw new EnvironmentError(
        `target kind: cluster '${this.cluster}' found but no kind CLI on PATH to get its kubeconfig; set kind.kubeconfig in the config`,
      );
    const text = await kindGetKubeconfig(kindCli, this.cluster, signal);
    const file = kindKubeconfigPath(this.cluster);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, text, { mode: 0o600 });
    return file;
  }
}

export const kindTarget = (config: PxchaosConfig, options?: KindTargetOptions): KindTarget =>
  new KindTarget(config, options);

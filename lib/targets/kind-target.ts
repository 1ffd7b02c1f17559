import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PxchaosConfig } from '../config/config-schema.js';
import { docker, requireDocker } from '../docker/docker-cli.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { defaultStateDir } from '../faults/journal.js';
import { kubeLabAccessPaths, kubeLabContext } from '../kube-lab/kube-lab-access.js';
import { KIND_CLUSTER_LABEL, KIND_ROLE_LABEL, KUBE_LAB_LABEL } from '../kube-lab/kube-lab-layout.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { findKindCli, kindCreateCluster, kindGetKubeconfig } from './kind-cli.js';
import { checkKubeCluster, nodeNameMismatch } from './kube-cluster-check.js';
import { guardKubeContext, type KubeLabControlPlaneIps } from './kube-context-guard.js';
import type { Target } from './target.js';

/** One node container of a kind cluster (or of a kube lab, which carries kind's labels). */
export interface KindNodeContainer {
  readonly name: string;
  /** kind's role label: control-plane or worker. */
  readonly role: string;
  /** `pxchaos.kube-lab` label: the kube lab it belongs to, '' for a real kind cluster. */
  readonly kubeLab: string;
  /** Docker's state: running, exited, paused, … */
  readonly state: string;
}

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
      readonly server: string;
      /** Every node, reached by `docker exec` on its container (container name = node name). */
      readonly nodes: readonly DockerExecNode[];
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

/** Node containers labelled `io.x-k8s.kind.cluster=<cluster>`, running or not, sorted by name. */
export async function findKindNodeContainers(
  cluster: string,
  signal?: AbortSignal,
): Promise<KindNodeContainer[]> {
  const run = await docker(
    [
      'ps',
      '-a',
      '--filter',
      `label=${KIND_CLUSTER_LABEL}=${cluster}`,
      '--format',
      `{{.Names}}\t{{.Label "${KIND_ROLE_LABEL}"}}\t{{.Label "${KUBE_LAB_LABEL}"}}\t{{.State}}`,
    ],
    { timeoutMs: 15_000, ...(signal && { signal }) },
  );
  if (run.exitCode !== 0)
    throw new EnvironmentError(`docker ps failed: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  return run.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [name = '', role = '', kubeLab = '', state = ''] = line.trim().split('\t');
      return { name, role, kubeLab, state };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
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
      kubeLab,
      kubeconfig,
      context,
      server: checked.server,
      nodes: containers.map((c) => new DockerExecNode(c.name, c.name)),
      containers,
    };
  }

  async open(progress: (line: string) => void, signal?: AbortSignal): Promise<never> {
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
    throw new EnvironmentError(
      `target kind: cluster '${found.cluster}' is ready (${found.plan === 'use' ? found.nodes.length : '?'} nodes), but the Postgres StatefulSet on it arrives in the next step of issue 9; use --target lab for now`,
    );
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

import { docker, type DockerRun } from '../docker/docker-cli.js';

export interface KubectlOptions {
  readonly stdin?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * kubectl as the cluster admin, run inside the control-plane node (the kube lab manages itself the
 * way kind does; the harness's own Kubernetes client is lib/k8s). Never throws on a non-zero exit.
 */
export function kubectl(
  controlPlane: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<DockerRun> {
  const { stdin, timeoutMs = 60_000, signal } = options;
  return docker(
    [
      'exec',
      ...(stdin === undefined ? [] : ['-i']),
      controlPlane,
      'kubectl',
      '--kubeconfig=/etc/kubernetes/admin.conf',
      `--request-timeout=${Math.max(1, Math.floor(timeoutMs / 1000) - 1)}s`,
      ...args,
    ],
    { timeoutMs, ...(stdin !== undefined && { stdin }), ...(signal && { signal }) },
  );
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(
  controlPlane: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<string> {
  const run = await kubectl(controlPlane, args, options);
  if (run.exitCode !== 0)
    throw new Error(
      `kubectl ${args.slice(0, 3).join(' ')} failed: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`,
    );
  return run.stdout;
}

/** Applies manifests (YAML, possibly several documents); idempotent. */
export async function kubectlApply(controlPlane: string, yaml: string, signal?: AbortSignal): Promise<void> {
  await kubectlOk(controlPlane, ['apply', '-f', '-'], {
    stdin: yaml,
    timeoutMs: 60_000,
    ...(signal && { signal }),
  });
}

interface NodeList {
  items: {
    metadata: { name: string };
    status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } };
  }[];
}

export interface KubeNodeState {
  readonly name: string;
  readonly ready: boolean;
  readonly kubeletVersion: string;
}

/** Every Kubernetes node with its Ready condition. */
export async function kubeNodes(controlPlane: string, signal?: AbortSignal): Promise<KubeNodeState[]> {
  const out = await kubectlOk(controlPlane, ['get', 'nodes', '-o', 'json'], {
    timeoutMs: 20_000,
    ...(signal && { signal }),
  });
  const list = JSON.parse(out) as NodeList;
  return list.items.map((n) => ({
    name: n.metadata.name,
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
  }));
}

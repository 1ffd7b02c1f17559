import { KubeApiError } from '../k8s/kube-api-error.js';
import { connectKube, KubeClient } from '../k8s/kube-client.js';
import { EnvironmentError, PxchaosError, UsageError } from '../errors.js';
import { guardKubeContext, type ContextPermit, type KubeLabControlPlaneIps } from './kube-context-guard.js';

/** Deadline of each API request a preflight makes (version, list nodes). */
export const PREFLIGHT_REQUEST_TIMEOUT_MS = 10_000;

export interface CheckedKubeCluster {
  readonly kubeconfig: string;
  readonly context: string;
  readonly server: string;
  readonly permit: ContextPermit;
  /** Names of the cluster's Kubernetes nodes, sorted. */
  readonly nodeNames: readonly string[];
  /** The nodes that are not control-plane nodes (by kubeadm's role labels), sorted: where Postgres runs. */
  readonly workerNames: readonly string[];
}

/** What the preflight of a target on an existing cluster (vm, kube) found. */
export interface ExistingClusterPreflight {
  readonly lockName: string;
  readonly leaseOn: { readonly kubeconfig: string; readonly context: string };
  readonly kubeconfig: string;
  readonly context: string;
  readonly server: string;
  /** Set when the context is a kube lab's (allowed without configuration). */
  readonly kubeLab?: string;
  /** The Kubernetes nodes the target reaches. */
  readonly nodes: readonly string[];
  /** Those that are not the control plane: where Postgres runs and faults go. */
  readonly workers: readonly string[];
}

/**
 * The common fields of that preflight: one run per cluster, whatever the context is called (a kube
 * lab takes the kind target's lock name, so the targets on it exclude each other), and the lease.
 */
export function existingClusterPreflight(
  checked: CheckedKubeCluster,
  nodes: readonly string[],
): ExistingClusterPreflight {
  const kubeLab = checked.permit.by === 'kube-lab' ? checked.permit.kubeLab : undefined;
  return {
    lockName: kubeLab ? `kind cluster ${kubeLab}` : `kube cluster ${checked.server}`,
    leaseOn: { kubeconfig: checked.kubeconfig, context: checked.context },
    kubeconfig: checked.kubeconfig,
    context: checked.context,
    server: checked.server,
    ...(kubeLab && { kubeLab }),
    nodes,
    workers: checked.workerNames,
  };
}

/** kubeadm's control-plane role labels (1.20 sets both). */
const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export interface KubeClusterCheckOptions {
  readonly target: string;
  readonly kubeconfig: string;
  /** Default: the kubeconfig's current-context. */
  readonly context?: string;
  readonly allowedContexts: readonly string[];
  /** Appended to "kubeconfig … not found", e.g. where the file should have come from. */
  readonly missingKubeconfigHint?: string;
  readonly controlPlaneIps?: KubeLabControlPlaneIps;
  readonly signal?: AbortSignal;
}

/** The same failure, one line, prefixed with the target (exit code kept). */
function prefixed(target: string, err: unknown, hint?: string): never {
  if (err instanceof PxchaosError) {
    const line = `target ${target}: ${err.message.split('\n')[0] ?? ''}${hint ?? ''}`;
    throw new PxchaosError(line, err.exitCode, { cause: err });
  }
  throw err;
}

/**
 * The read-only part of a Kubernetes target's preflight, in the order that touches least:
 * kubeconfig + context (no network), the blast-radius guard (no cluster access), then the API
 * server's version and its node list, each request with a deadline. Every failure is one line:
 * missing kubeconfig or unreachable server exit 3, unknown context or refused context exit 2.
 */
export async function checkKubeCluster(options: KubeClusterCheckOptions): Promise<CheckedKubeCluster> {
  const { target, kubeconfig, signal } = options;
  const access = {
    kubeconfig,
    ...(options.context !== undefined && { context: options.context }),
    requestTimeoutMs: PREFLIGHT_REQUEST_TIMEOUT_MS,
    ...(signal && { signal }),
  };
  let loaded: KubeClient;
  try {
    loaded = KubeClient.load(access);
  } catch (err) {
    prefixed(
      target,
      err,
      /not found$/.test((err as Error).message) ? options.missingKubeconfigHint : undefined,
    );
  }
  const ref = { context: loaded.context, server: loaded.server };
  const permit = await guardKubeContext(target, ref, options.allowedContexts, {
    ...(options.controlPlaneIps && { controlPlaneIps: options.controlPlaneIps }),
    ...(signal && { signal }),
  });
  let client: KubeClient;
  try {
    client = await connectKube({ ...access, context: loaded.context });
  } catch (err) {
    if (err instanceof KubeApiError) prefixed(target, new EnvironmentError(err.message, { cause: err }));
    prefixed(target, err);
  }
  let nodeNames: string[];
  let workerNames: string[];
  try {
    const nodes = await client.call('list nodes', () => client.core.listNode());
    nodeNames = nodes.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
    workerNames = nodes.items
      .filter((n) => !CONTROL_PLANE_LABELS.some((l) => n.metadata?.labels?.[l] !== undefined))
      .map((n) => n.metadata?.name ?? '')
      .filter(Boolean);
  } catch (err) {
    const status = err instanceof KubeApiError ? err.status : undefined;
    // Credentials that may not list nodes are the configuration's fault; anything else is the cluster's.
    const wrapped =
      status === 401 || status === 403
        ? new UsageError(`context ${ref.context}: ${(err as Error).message}`, { cause: err })
        : new EnvironmentError(`context ${ref.context}: ${(err as Error).message}`, { cause: err });
    prefixed(target, wrapped);
  }
  return { kubeconfig, ...ref, permit, nodeNames: nodeNames.sort(), workerNames: workerNames.sort() };
}

/**
 * Names on one side and not on the other, as one clause ("" when both sides agree):
 * `not Kubernetes nodes: a, b; Kubernetes nodes not in the inventory: c`.
 */
export function nodeNameMismatch(
  ours: readonly string[],
  kube: readonly string[],
  labels: { readonly oursOnly: string; readonly kubeOnly: string },
): string {
  const oursOnly = ours.filter((n) => !kube.includes(n)).sort();
  const kubeOnly = kube.filter((n) => !ours.includes(n)).sort();
  return [
    oursOnly.length ? `${labels.oursOnly}: ${oursOnly.join(', ')}` : '',
    kubeOnly.length ? `${labels.kubeOnly}: ${kubeOnly.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

import type { V1Namespace } from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isRunNamespace, MANAGED_BY, MANAGED_BY_LABEL, RUN_LABEL } from './run-namespace.js';
import { runLiveness, type RunLiveness } from './run-namespace-owner.js';
import { deleteRunNamespace } from './run-namespace-teardown.js';

/** Seconds a dead run's pods get to stop: SIGTERM, then SIGKILL a second later. */
const DEAD_POD_GRACE_S = 1;

export interface RunNamespaceState extends RunLiveness {
  readonly name: string;
  /** Active or Terminating. */
  readonly phase: string;
}

/** The cluster's run namespaces of this prefix (both labels, the name its run id gives), with their runs' liveness. */
export async function listRunNamespaces(client: KubeClient, prefix: string): Promise<RunNamespaceState[]> {
  const list = await client.call('list run namespaces', () =>
    client.core.listNamespace({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY},${RUN_LABEL}` }),
  );
  return runNamespaceStates(list.items, prefix);
}

/** `prefix` undefined: run namespaces of any prefix (a status that reads no config). */
export function runNamespaceStates(items: readonly V1Namespace[], prefix?: string): RunNamespaceState[] {
  const prefixOf = (ns: V1Namespace): string =>
    prefix ?? (ns.metadata?.name ?? '').slice(0, -((ns.metadata?.labels?.[RUN_LABEL] ?? '').length + 1));
  return items
    .filter((ns) => isRunNamespace(ns, prefixOf(ns)))
    .map((ns) => ({
      name: ns.metadata?.name ?? '',
      phase: ns.status?.phase ?? 'Active',
      ...runLiveness(ns),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One line per leftover: name, run state, and what to do about it. */
export function describeRunNamespace(ns: RunNamespaceState, context: string): string {
  const how =
    ns.state === 'dead'
      ? 'the next run removes it'
      : `remove it once that run is over: kubectl --context ${context} delete namespace ${ns.name}`;
  return `${ns.name} (${ns.phase}): ${ns.state === 'dead' ? 'dead run' : ns.state === 'live' ? 'live run' : 'run of unknown liveness'}, ${ns.owner}; ${how}`;
}

/**
 * Before a run arranges anything: removes the run namespaces of provably dead runs (a `kill -9`, a
 * crash), waiting until each is gone so that its volume is released, and returns one line each. A
 * namespace of a live run, or of a run whose liveness cannot be established, is never touched: the
 * run refuses (exit 3) naming it and how to remove it — it would otherwise hold a volume the run
 * then waits for without end.
 */
export async function clearDeadRunNamespaces(
  client: KubeClient,
  options: {
    readonly prefix: string;
    readonly context: string;
    readonly progress: (line: string) => void;
    readonly signal?: AbortSignal;
  },
): Promise<string[]> {
  const found = await listRunNamespaces(client, options.prefix);
  const blocking = found.filter((ns) => ns.state !== 'dead');
  if (blocking.length)
    throw new EnvironmentError(
      `run namespace${blocking.length > 1 ? 's' : ''} of another run on context ${options.context}: ${blocking.map((ns) => describeRunNamespace(ns, options.context)).join('; ')}`,
    );
  const removed: string[] = [];
  for (const ns of found) {
    const runId = ns.name.slice(options.prefix.length + 1);
    options.progress(`removing run namespace ${ns.name} of a dead run (${ns.owner})`);
    // Nobody is served by a dead run's Postgres: its pods go without their 30 s grace, so the
    // namespace and its claim go sooner (measured 84.7 s with the grace on the kube lab).
    await client.call(`delete pods in ${ns.name}`, () =>
      client.core.deleteCollectionNamespacedPod({ namespace: ns.name, gracePeriodSeconds: DEAD_POD_GRACE_S }),
    );
    const gone = await deleteRunNamespace(client, ns.name, {
      prefix: options.prefix,
      runId,
      ...(options.signal && { signal: options.signal }),
    });
    removed.push(
      `removed run namespace ${ns.name} left by a dead run (${ns.owner}) in ${(gone.goneAfterMs / 1000).toFixed(1)} s`,
    );
  }
  return removed;
}

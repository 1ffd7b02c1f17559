import type { V1Namespace } from '@kubernetes/client-node';
import { deleteAndWaitGone } from '../../k8s/delete-objects.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import { UsageError } from '../../errors.js';
import { isRunNamespace, MANAGED_BY_LABEL, RUN_LABEL } from './run-namespace.js';

/** The harness was asked to delete a namespace that is not one of its run namespaces: refused. */
export class NotARunNamespaceError extends UsageError {}

export interface TeardownOptions {
  /** The config's kube.namespacePrefix: a run namespace is `<prefix>-<run id>`. */
  readonly prefix: string;
  /** Only this run's namespace (when given). */
  readonly runId?: string;
  /** How long the namespace may take to go (pods, claims, finalizers). Default 300 s. */
  readonly timeoutMs?: number;
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface TornDown {
  readonly namespace: string;
  /** False when it was already gone. */
  readonly existed: boolean;
  readonly goneAfterMs: number;
}

/**
 * Deletes one run namespace and waits until it is gone. The only namespaces the harness ever
 * deletes: anything without both run labels, or whose name is not `<prefix>-<its run id>`, is
 * refused with NotARunNamespaceError and left untouched.
 */
export async function deleteRunNamespace(
  client: KubeClient,
  name: string,
  options: TeardownOptions,
): Promise<TornDown> {
  const ns: V1Namespace | undefined = await client
    .call(`read namespace ${name}`, () => client.core.readNamespace({ name }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (!ns) return { namespace: name, existed: false, goneAfterMs: 0 };
  if (!isRunNamespace(ns, options.prefix, options.runId)) {
    const labels = ns.metadata?.labels ?? {};
    throw new NotARunNamespaceError(
      `refusing to delete namespace ${name}: not a pxchaos run namespace` +
        ` (needs labels ${MANAGED_BY_LABEL}=pxchaos and ${RUN_LABEL}=<run id>, and the name ${options.prefix}-<run id>` +
        `${options.runId ? ` with run id ${options.runId}` : ''}; it has ${MANAGED_BY_LABEL}=${labels[MANAGED_BY_LABEL] ?? '(none)'}, ${RUN_LABEL}=${labels[RUN_LABEL] ?? '(none)'})`,
    );
  }
  options.progress?.(`deleting run namespace ${name}`);
  const deleted = await deleteAndWaitGone(
    client,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    {
      timeoutMs: options.timeoutMs ?? 300_000,
      pollMs: 500,
      ...(options.signal && { signal: options.signal }),
    },
  );
  options.progress?.(`run namespace ${name} gone after ${(deleted.goneAfterMs / 1000).toFixed(1)} s`);
  return { namespace: name, existed: deleted.existed, goneAfterMs: deleted.goneAfterMs };
}

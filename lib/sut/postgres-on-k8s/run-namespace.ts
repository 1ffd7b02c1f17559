import type { V1Namespace } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { ownerAnnotations } from './run-namespace-owner.js';

/** On every namespace a run creates: the harness deletes a namespace only if it carries both. */
export const RUN_LABEL = 'pxchaos.io/run';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'pxchaos';

const RUN_ID = /^[a-z0-9]{4,16}$/;

/** A fresh run id: 8 lowercase hex characters, valid in names and label values. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export function runNamespaceName(prefix: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError(`run id '${runId}': expected 4-16 lowercase letters/digits`);
  const name = `${prefix}-${runId}`;
  // DNS-1123 label: what Kubernetes accepts as a namespace name.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
    throw new UsageError(`namespace '${name}' is not a valid Kubernetes name (DNS-1123 label, ≤ 63)`);
  return name;
}

/**
 * The run namespace, annotated with the process that made it (run-namespace-owner.ts): a later run
 * removes it only when that process is provably gone.
 */
export function runNamespace(
  prefix: string,
  runId: string,
  owner: Readonly<Record<string, string>> = ownerAnnotations(),
): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: runNamespaceName(prefix, runId),
      labels: { [RUN_LABEL]: runId, [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { ...owner },
    },
  };
}

/**
 * May the harness delete this namespace? Only one of its own run namespaces (both labels, and the
 * name its run id gives), and only the given run's when one is named.
 */
export function isRunNamespace(ns: V1Namespace, prefix: string, runId?: string): boolean {
  const labels = ns.metadata?.labels ?? {};
  const id = labels[RUN_LABEL];
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY || id === undefined || !RUN_ID.test(id)) return false;
  if (runId !== undefined && id !== runId) return false;
  return ns.metadata?.name === `${prefix}-${id}`;
}

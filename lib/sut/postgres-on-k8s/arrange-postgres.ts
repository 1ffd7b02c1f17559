import type { V1Namespace } from '@kubernetes/client-node';
import { applyObjects, objectLabel } from '../../k8s/apply-objects.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import { UsageError } from '../../errors.js';
import { formatDuration } from '../../time/duration.js';
import { PostgresCredentials } from './postgres-credentials.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import { postgresManifests } from './postgres-manifests.js';
import { waitForPostgresReady, type ReadyPostgresPod } from './postgres-pod-ready.js';
import { generatePassword } from './postgres-secret.js';
import { isRunNamespace, newRunId } from './run-namespace.js';

export interface ArrangeOptions {
  /** The config's `kube` section completed with the storage driver's defaults (storage-drivers.ts). */
  readonly settings: PostgresK8sSettings;
  /** Default: a fresh one (newRunId). */
  readonly runId?: string;
  /** Default: a fresh one (generatePassword). Never logged. */
  readonly password?: string;
  /** Deadline for the pod to get Running+Ready (default 300 s). */
  readonly readyTimeoutMs?: number;
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ArrangedPostgres {
  readonly runId: string;
  readonly namespace: string;
  /** Prints and serialises with the password redacted. */
  readonly credentials: PostgresCredentials;
  readonly ready: ReadyPostgresPod;
  /** Start of the apply to the pod Running+Ready. */
  readonly durationMs: number;
}

/**
 * Creates one run's Postgres on Kubernetes: the labelled run namespace, the Secret with the
 * generated password, the Services and the StatefulSet (server-side apply, fieldManager pxchaos),
 * then waits for the pod to be Running+Ready. A namespace of that name that is not this run's
 * is refused, never adopted. On a pod that never gets Ready the error carries the events that
 * explain it; the namespace is left for the caller's teardown (deleteRunNamespace).
 */
export async function arrangePostgres(
  client: KubeClient,
  options: ArrangeOptions,
): Promise<ArrangedPostgres> {
  const started = performance.now();
  const progress = options.progress ?? ((): void => undefined);
  const runId = options.runId ?? newRunId();
  const credentials = new PostgresCredentials(options.password ?? generatePassword());
  const { namespace, objects } = postgresManifests(options.settings, {
    runId,
    password: credentials.password,
  });
  const existing: V1Namespace | undefined = await client
    .call(`read namespace ${namespace}`, () => client.core.readNamespace({ name: namespace }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (existing && !isRunNamespace(existing, options.settings.namespacePrefix, runId))
    throw new UsageError(
      `namespace ${namespace} already exists and is not pxchaos run ${runId}'s: refusing to use it`,
    );
  progress(
    `applying ${objects.map(objectLabel).join(', ')} (image ${options.settings.image}, StorageClass ${options.settings.storageClass})`,
  );
  await applyObjects(client, objects);
  const ready = await waitForPostgresReady(client, namespace, {
    timeoutMs: options.readyTimeoutMs ?? 300_000,
    progress: (line) => progress(`waiting for Postgres: ${line}`),
    ...(options.signal && { signal: options.signal }),
  });
  const durationMs = performance.now() - started;
  progress(`Postgres ${namespace}/${ready.pod} Ready on ${ready.node} after ${formatDuration(durationMs)}`);
  return { runId, namespace, credentials, ready, durationMs };
}

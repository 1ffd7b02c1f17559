import type { KubeClient } from '../../k8s/kube-client.js';
import { execInPod, podLabel, type PodRef } from '../../k8s/pod-exec.js';
import { POSTGRES_USER, SOCKET_DIR } from './postgres-k8s-settings.js';
import { STATEFULSET_NAME } from './postgres-statefulset.js';

/** The StatefulSet's one pod (replicas: 1): the same name on whatever node it is (re)scheduled to. */
export const POSTGRES_POD = `${STATEFULSET_NAME}-0`;
export const POSTGRES_CONTAINER = 'postgres';

export const postgresPod = (namespace: string): PodRef => ({
  namespace,
  pod: POSTGRES_POD,
  container: POSTGRES_CONTAINER,
});

/** A SQL statement failed in the pod (psql exited non-zero): its stderr is the message. */
export class PodSqlError extends Error {
  override name = 'PodSqlError';
}

export interface PodSqlOptions {
  /** Deadline of the whole exec (default 30 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly database?: string;
}

/**
 * Runs one SQL statement with psql in the Postgres container, over the Unix socket (trusted
 * locally: no password involved), and returns its unaligned, tuples-only output, trimmed.
 */
export async function psqlInPod(
  client: KubeClient,
  ref: PodRef,
  sql: string,
  options: PodSqlOptions = {},
): Promise<string> {
  const argv = [
    'psql',
    '-X',
    '-q',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    SOCKET_DIR,
    '-U',
    POSTGRES_USER,
    '-d',
    options.database ?? 'postgres',
    '-c',
    sql,
  ];
  const result = await execInPod(client, ref, argv, {
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.signal && { signal: options.signal }),
  });
  if (result.exitCode !== 0)
    throw new PodSqlError(
      `${podLabel(ref)}: psql exited ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`,
    );
  return result.stdout.trim();
}

import type { V1Container, V1StatefulSet, V1Toleration } from '@kubernetes/client-node';
import {
  DATA_MOUNT,
  PGDATA,
  POSTGRES_APP,
  POSTGRES_PORT,
  POSTGRES_USER,
  type PostgresK8sSettings,
} from './postgres-k8s-settings.js';
import { PASSWORD_KEY, SECRET_NAME } from './postgres-secret.js';
import { HEADLESS_SERVICE } from './postgres-services.js';

export const STATEFULSET_NAME = 'postgres';
export const DATA_VOLUME = 'data';

/** The taints the node lifecycle controller puts on a node it stops hearing from. */
export const NODE_FAILURE_TAINTS = [
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
] as const;

/** Tolerate a failed node for this long, then be evicted (replaces Kubernetes' default of 300 s). */
export function nodeFailureTolerations(tolerationMs: number): V1Toleration[] {
  if (!Number.isInteger(tolerationMs / 1000) || tolerationMs < 0)
    throw new Error(`tolerationSeconds must be whole seconds ≥ 0 (got ${tolerationMs} ms)`);
  return NODE_FAILURE_TAINTS.map((key) => ({
    key,
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: tolerationMs / 1000,
  }));
}

const dataMount = { name: DATA_VOLUME, mountPath: DATA_MOUNT };

/**
 * Postgres options (the image's entrypoint passes them on; both the postgres:15 image and the kube
 * lab's). Crash recovery syncs the data directory before replaying WAL; by default it opens and
 * fsyncs every file. After a pod moves, the new node has nothing of the volume in its page cache to
 * flush, yet on Gluster each fsync while a replica is cut off marks the file for self-heal: measured
 * on the kube lab, 29 s of fsync at startup and ~1000 entries (the whole data directory) to heal
 * for 2–8 min after the partition. `syncfs` (PostgreSQL ≥ 14; Linux ≥ 5.8 reports its write errors)
 * syncs the filesystem in one call instead.
 */
export const POSTGRES_ARGS = ['-c', 'recovery_init_sync_method=syncfs'] as const;

/**
 * One Postgres pod on one volume claim (the storage layer replicates, not Postgres). Readiness is
 * `pg_isready` over TCP; no liveness probe on purpose: a stalled drive or agent must be observed,
 * not hidden by kubelet restarting the container.
 */
export function postgresStatefulSet(namespace: string, settings: PostgresK8sSettings): V1StatefulSet {
  const labels = { app: POSTGRES_APP };
  const image = { image: settings.image, imagePullPolicy: settings.imagePullPolicy };
  // ext4 and xfs volumes come with lost+found at their root, which initdb refuses as a data directory.
  const clearLostFound: V1Container = {
    name: 'clear-lost-found',
    ...image,
    command: ['sh', '-c', 'rm -rf "$1/lost+found"', 'clear-lost-found', DATA_MOUNT],
    volumeMounts: [dataMount],
  };
  const postgres: V1Container = {
    name: 'postgres',
    ...image,
    args: [...POSTGRES_ARGS],
    env: [
      { name: 'PGDATA', value: PGDATA },
      { name: PASSWORD_KEY, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: PASSWORD_KEY } } },
    ],
    ports: [{ name: 'postgres', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
    readinessProbe: {
      exec: { command: ['pg_isready', '-h', '127.0.0.1', '-p', String(POSTGRES_PORT), '-U', POSTGRES_USER] },
      periodSeconds: 2,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    resources: settings.resources,
    volumeMounts: [dataMount],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: STATEFULSET_NAME, namespace, labels },
    spec: {
      replicas: 1,
      serviceName: HEADLESS_SERVICE,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...(settings.schedulerName !== undefined && { schedulerName: settings.schedulerName }),
          tolerations: nodeFailureTolerations(settings.tolerationMs),
          ...(settings.nodeSelector && { nodeSelector: { ...settings.nodeSelector } }),
          ...(settings.affinity && { affinity: settings.affinity }),
          initContainers: [clearLostFound],
          containers: [postgres],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: DATA_VOLUME, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: settings.storageClass,
            resources: { requests: { storage: settings.storageSize } },
          },
        },
      ],
    },
  };
}

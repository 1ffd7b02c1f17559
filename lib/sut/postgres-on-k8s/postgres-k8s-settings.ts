import type { V1Affinity, V1ResourceRequirements } from '@kubernetes/client-node';

/** What the manifest builders need; resolved from the config's `kube` section for one storage driver. */
export interface PostgresK8sSettings {
  readonly namespacePrefix: string;
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly storageClass: string;
  /** Kubernetes quantity of the volume claim, e.g. 1Gi. */
  readonly storageSize: string;
  /** stork for Portworx (places the pod on a node holding a replica); undefined: the default scheduler. */
  readonly schedulerName?: string;
  /** How long the pod stays bound to a NotReady or unreachable node before it is evicted. */
  readonly tolerationMs: number;
  readonly resources: V1ResourceRequirements;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: V1Affinity;
  /** Also expose Postgres on this port of every node (a NodePort Service). */
  readonly nodePort?: number;
}

/** Names and constants shared by the manifests and whoever reads the objects back. */
export const POSTGRES_APP = 'postgres';
export const POSTGRES_PORT = 5432;
export const POSTGRES_USER = 'postgres';
/** The volume is mounted here; PGDATA is a subdirectory so the filesystem's lost+found is not in it. */
export const DATA_MOUNT = '/var/lib/postgresql/data';
export const PGDATA = `${DATA_MOUNT}/pgdata`;
/** Where both images (Debian's and the official postgres one) put the Unix socket. */
export const SOCKET_DIR = '/var/run/postgresql';

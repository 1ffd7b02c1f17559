import { randomBytes } from 'node:crypto';

/**
 * Secrets generated per lab. They live in the lab containers' environment (where the node entrypoint
 * reads them) and are read back with `docker inspect` by the harness; never printed or logged.
 */
export interface LabCredentials {
  /** Postgres superuser `postgres`. */
  readonly pgPassword: string;
  /** Postgres replication user `replicator`. */
  readonly replicationPassword: string;
  /** Patroni REST API user `patroni` (unsafe endpoints: switchover, config). */
  readonly restPassword: string;
}

export const CREDENTIAL_ENV = {
  pgPassword: 'PXLAB_PG_PASSWORD',
  replicationPassword: 'PXLAB_REPLICATION_PASSWORD',
  restPassword: 'PXLAB_REST_PASSWORD',
} as const satisfies Record<keyof LabCredentials, string>;

export const PG_SUPERUSER = 'postgres';
export const REST_USER = 'patroni';

const secret = (): string => randomBytes(18).toString('base64url');

export function generateCredentials(): LabCredentials {
  return { pgPassword: secret(), replicationPassword: secret(), restPassword: secret() };
}

/** Credentials from a container's environment ("KEY=value" lines), or undefined if any is missing. */
export function credentialsFromEnv(env: readonly string[]): LabCredentials | undefined {
  const get = (key: string): string | undefined =>
    env.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  const pgPassword = get(CREDENTIAL_ENV.pgPassword);
  const replicationPassword = get(CREDENTIAL_ENV.replicationPassword);
  const restPassword = get(CREDENTIAL_ENV.restPassword);
  if (!pgPassword || !replicationPassword || !restPassword) return undefined;
  return { pgPassword, replicationPassword, restPassword };
}

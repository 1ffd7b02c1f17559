import type { V1Secret } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { POSTGRES_APP } from './postgres-k8s-settings.js';

export const SECRET_NAME = 'postgres-credentials';
/** The key is the environment variable both Postgres images read the superuser password from. */
export const PASSWORD_KEY = 'POSTGRES_PASSWORD';
/** What a printed or logged Secret shows instead of a value. */
export const REDACTED = '<redacted: generated per run>';

/** A fresh superuser password: 24 random bytes, base64url (no quoting trouble anywhere). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export function postgresSecret(namespace: string, password: string): V1Secret {
  if (password === '') throw new Error('the Postgres password must not be empty');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET_NAME, namespace, labels: { app: POSTGRES_APP } },
    type: 'Opaque',
    stringData: { [PASSWORD_KEY]: password },
  };
}

/** The same Secret with every value replaced by a placeholder: the only form that is ever printed. */
export function redactSecret(secret: V1Secret): V1Secret {
  const hide = (values: Record<string, string> | undefined) =>
    values && Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
  const { data, stringData, ...rest } = secret;
  return {
    ...rest,
    ...(data && { data: hide(data) }),
    ...(stringData && { stringData: hide(stringData) }),
  };
}

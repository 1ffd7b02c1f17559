import type { V1Namespace, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import { postgresSecret } from './postgres-secret.js';
import { postgresServices } from './postgres-services.js';
import { postgresStatefulSet } from './postgres-statefulset.js';
import { runNamespace } from './run-namespace.js';

export type PostgresManifest = V1Namespace | V1Secret | V1Service | V1StatefulSet;

export interface PostgresManifests {
  readonly namespace: string;
  /** In apply order: the namespace first, the StatefulSet after the Secret and Services it names. */
  readonly objects: readonly PostgresManifest[];
}

/** Every object of one run's Postgres on Kubernetes (the SUT's common half, whatever the storage driver). */
export function postgresManifests(
  settings: PostgresK8sSettings,
  run: { readonly runId: string; readonly password: string },
): PostgresManifests {
  const namespace = runNamespace(settings.namespacePrefix, run.runId);
  const name = namespace.metadata?.name ?? '';
  return {
    namespace: name,
    objects: [
      namespace,
      postgresSecret(name, run.password),
      ...postgresServices(name, settings),
      postgresStatefulSet(name, settings),
    ],
  };
}

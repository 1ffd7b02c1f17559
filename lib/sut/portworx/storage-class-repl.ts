import { StorageV1Api, type V1StorageClass } from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import type { KubeClient } from '../../k8s/kube-client.js';

/**
 * The replication factor a StorageClass without `repl` gives its Portworx volumes. portworx.md does
 * not state it; Kubernetes' StorageClass docs (kubernetes/website, content/en/docs/concepts/storage/
 * storage-classes.md, "Portworx volume") do: "`repl`: … replication factor `1..3` (default: `1`)".
 */
export const PX_DEFAULT_REPL = 1;

export interface StorageClassRepl {
  readonly name: string;
  readonly provisioner: string;
  readonly replicationFactor: number;
  /** How the figure was read: `repl "2"`, or the default when the class names none. */
  readonly said: string;
}

/**
 * The replication factor of the volumes a StorageClass provisions. A class that does not exist is
 * an error naming it: the StatefulSet's claim would stay Pending, and the expectations need the
 * figure. A `repl` that is not a whole number is refused rather than guessed.
 */
export async function readStorageClassRepl(client: KubeClient, name: string): Promise<StorageClassRepl> {
  const storageClass = await client
    .call(`read StorageClass ${name}`, () => client.api(StorageV1Api).readStorageClass({ name }))
    .catch((err: unknown) => {
      if (isNotFound(err))
        throw new EnvironmentError(
          `StorageClass ${name} not found in the cluster: the Postgres volume is provisioned from it (kube.storageClass, default portworx-replicated) and its repl sets the expectations`,
          { cause: err },
        );
      throw err;
    });
  return storageClassRepl(storageClass);
}

export function storageClassRepl(storageClass: V1StorageClass): StorageClassRepl {
  const name = storageClass.metadata?.name ?? '<unnamed>';
  const repl = storageClass.parameters?.repl;
  const base = { name, provisioner: storageClass.provisioner };
  if (repl === undefined)
    return {
      ...base,
      replicationFactor: PX_DEFAULT_REPL,
      said: `no repl, so PX's default ${PX_DEFAULT_REPL}`,
    };
  if (!/^\d+$/.test(repl.trim()))
    throw new Error(`could not read StorageClass ${name}: repl "${repl}" is not a whole number`);
  return { ...base, replicationFactor: Number(repl.trim()), said: `repl "${repl}"` };
}

import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';

/** Field manager of everything pxchaos applies: `kubectl get -o yaml --show-managed-fields` names it. */
export const FIELD_MANAGER = 'pxchaos';

export interface ApplyOptions {
  readonly fieldManager?: string;
  /**
   * Take over fields another manager owns (default true): the harness owns its manifests, and a
   * conflict left by an earlier run or a `kubectl edit` must not stop a scenario.
   */
  readonly force?: boolean;
}

/** `StatefulSet db/pg`, `Namespace pxchaos`: how an object is named in messages. */
export function objectLabel(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind ?? '?'} ${ns ? `${ns}/` : ''}${object.metadata?.name ?? '?'}`;
}

/**
 * Create-or-update by server-side apply (beta and on by default since Kubernetes 1.18, so it works
 * on the kube lab's 1.20): one PATCH per object with Content-Type application/apply-patch+yaml.
 * The server merges and tracks ownership, so applying the same manifests again is a no-op and no
 * read-modify-write race exists. Objects are applied in the order given (namespaces first).
 * Returns the objects as the server stored them.
 */
export async function applyObjects<T extends KubernetesObject>(
  client: KubeClient,
  objects: readonly T[],
  options: ApplyOptions = {},
): Promise<T[]> {
  const applied: T[] = [];
  for (const object of objects) {
    applied.push(
      await client.call(`apply ${objectLabel(object)}`, () =>
        client.objects.patch(
          // client-node fills in a missing namespace/apiVersion on the object it is given: copy it.
          structuredClone(object),
          undefined,
          undefined,
          options.fieldManager ?? FIELD_MANAGER,
          options.force ?? true,
          PatchStrategy.ServerSideApply,
        ),
      ),
    );
  }
  return applied;
}

import type { KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../time/duration.js';
import { objectLabel } from './apply-objects.js';
import type { KubeClient } from './kube-client.js';
import { isNotFound, KubeApiError } from './kube-api-error.js';

export interface DeleteOptions {
  /** How long the object may take to disappear (finalizers, graceful pod shutdown). Default 120 s. */
  readonly timeoutMs?: number;
  /** 0 = force (`kubectl delete --force --grace-period=0`); default: the object's own. */
  readonly gracePeriodSeconds?: number;
  /** Default `Background`; `Foreground` waits for dependents before the object itself goes. */
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly signal?: AbortSignal;
  /** How often to look (default 250 ms). */
  readonly pollMs?: number;
}

export interface Deleted {
  /** False when there was nothing to delete. */
  readonly existed: boolean;
  /** From the DELETE request to the object (that uid) being gone. */
  readonly goneAfterMs: number;
}

/** The delete outlived its deadline: the object is still there (finalizer, stuck kubelet...). */
export class DeleteTimeoutError extends KubeApiError {}

type Header = KubernetesObject & { apiVersion: string; kind: string; metadata: { name: string } };

function header(object: KubernetesObject): Header {
  const name = object.metadata?.name;
  if (!object.apiVersion || !object.kind || !name)
    throw new Error(`cannot delete ${objectLabel(object)}: apiVersion, kind and metadata.name are needed`);
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}) },
  };
}

/**
 * Deletes an object and waits until it is gone: read answers 404, or the name now belongs to a new
 * object (a StatefulSet recreates its pod under the same name at once, with another uid).
 */
export async function deleteAndWaitGone(
  client: KubeClient,
  object: KubernetesObject,
  options: DeleteOptions = {},
): Promise<Deleted> {
  const target = header(object);
  const label = objectLabel(object);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = performance.now();
  const read = (): Promise<KubernetesObject | undefined> =>
    client
      .call(`read ${label}`, () => client.objects.read(structuredClone(target)))
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
  const before = await read();
  if (!before) return { existed: false, goneAfterMs: 0 };
  const uid = before.metadata?.uid;
  try {
    await client.call(`delete ${label}`, () =>
      client.objects.delete(
        structuredClone(target),
        undefined,
        undefined,
        options.gracePeriodSeconds,
        undefined,
        options.propagationPolicy ?? 'Background',
      ),
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  for (;;) {
    const now = await read();
    if (!now || now.metadata?.uid !== uid) return { existed: true, goneAfterMs: performance.now() - started };
    const waited = performance.now() - started;
    if (waited > timeoutMs) {
      const finalizers = now.metadata?.finalizers?.join(', ');
      throw new DeleteTimeoutError(
        `delete ${label}: still present after ${formatDuration(waited)}${finalizers ? ` (finalizers: ${finalizers})` : ''}`,
        'timeout',
      );
    }
    await sleep(options.pollMs ?? 250, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

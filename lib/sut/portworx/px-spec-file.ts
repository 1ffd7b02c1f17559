import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** A spec that cannot be applied as a whole: one line naming the document and the problem. */
export class PxSpecError extends Error {
  override name = 'PxSpecError';
}

/**
 * The objects of a Portworx install spec: the multi-document YAML Portworx's spec generator emits
 * (the workshop's portworx.yaml: Service, CRDs, ServiceAccount + RBAC, the `portworx` DaemonSet,
 * Stork, StorageClasses…), in file order (the generator orders CRDs and RBAC before their users).
 * Empty documents are skipped; a document that is not valid YAML, not an object, or lacks
 * apiVersion, kind or metadata.name refuses the whole spec: applying part of a PX install leaves a
 * cluster neither with nor without PX. `List` documents are unpacked.
 */
export function parsePxSpec(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${source} document ${i + 1}`;
    const error = doc.errors[0];
    if (error) throw new PxSpecError(`${where} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    for (const item of listItems(value, where)) objects.push(checkObject(item, where));
  });
  if (objects.length === 0) throw new PxSpecError(`${source} holds no Kubernetes objects`);
  return objects;
}

function listItems(value: unknown, where: string): unknown[] {
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v === 'object' && typeof v.kind === 'string' && v.kind.endsWith('List')) {
    if (!Array.isArray(v.items)) throw new PxSpecError(`${where}: ${v.kind} without items`);
    return v.items as unknown[];
  }
  return [value];
}

function checkObject(value: unknown, where: string): KubernetesObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PxSpecError(`${where} is not a Kubernetes object (a mapping with apiVersion and kind)`);
  const o = value as KubernetesObject;
  const missing = [
    typeof o.apiVersion === 'string' && o.apiVersion ? undefined : 'apiVersion',
    typeof o.kind === 'string' && o.kind ? undefined : 'kind',
    typeof o.metadata?.name === 'string' && o.metadata.name ? undefined : 'metadata.name',
  ].filter((m) => m !== undefined);
  if (missing.length > 0)
    throw new PxSpecError(
      `${where}${typeof o.kind === 'string' ? ` (${o.kind})` : ''} has no ${missing.join(', ')}`,
    );
  return o;
}

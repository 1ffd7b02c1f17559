import type { KubernetesObject } from '@kubernetes/client-node';

/** The part of an `apiextensions.k8s.io/v1` OpenAPI v3 schema a CRD's structural schema uses. */
export interface CrdSchema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  properties?: Record<string, CrdSchema>;
  items?: CrdSchema;
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: CrdSchema };
}

export interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/**
 * Every reason the API server would not take `object` as the CRD defines it, one line each (none:
 * it would). Its group and kind must be the CRD's, its version one the CRD serves (an unserved one
 * is refused outright: 404 for the apply); each field must have the schema's type and, for an enum,
 * one of its values. A field the schema does not name is reported too, though the API server
 * would only prune it without a word: a setting dropped in silence is a setting that never took.
 */
export function crdProblems(object: KubernetesObject, crd: Crd): string[] {
  const [group, version] = (object.apiVersion ?? '').split('/');
  if (group !== crd.spec.group || object.kind !== crd.spec.names.kind)
    return [`${object.apiVersion}/${object.kind} is not a ${crd.spec.group} ${crd.spec.names.kind}`];
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served?.served)
    return [
      `${object.apiVersion} is not served (served: ${crd.spec.versions
        .filter((v) => v.served)
        .map((v) => v.name)
        .join(', ')})`,
    ];
  return schemaProblems(object, served.schema.openAPIV3Schema, '');
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function schemaProblems(value: unknown, schema: CrdSchema, at: string): string[] {
  const where = at || '(root)';
  const actual = typeOf(value);
  if (schema.type && actual !== schema.type && !(schema.type === 'number' && actual === 'integer'))
    return [`${where}: ${actual}, the schema wants ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value))
    return [`${where}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`];
  if (actual === 'array' && schema.items)
    return (value as unknown[]).flatMap((v, i) => schemaProblems(v, schema.items!, `${at}[${i}]`));
  if (actual !== 'object' || schema['x-kubernetes-preserve-unknown-fields'] || !schema.properties) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    const field = schema.properties![k];
    return field ? schemaProblems(v, field, path) : [`${path}: not in the schema (the API server drops it)`];
  });
}

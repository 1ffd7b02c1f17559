import { dumpYaml } from '@kubernetes/client-node';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse } from 'yaml';

/** A model class of kubernetes-models: the object's OpenAPI schema behind validate(). */
type Model = new (data: never) => { validate(): void };

const MODELS: Readonly<Record<string, Model>> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'storage.k8s.io/v1/StorageClass': StorageClass,
  // What a Portworx install spec holds besides (the spec generator's RBAC, Stork, CRDs).
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
};

/**
 * Whether `validateManifest` knows the object's schema: custom resources (a StorageCluster) and
 * API versions Kubernetes no longer serves (a 2020 spec's v1beta1 CRDs) have none here.
 */
export function hasSchema(manifest: unknown): boolean {
  const m = manifest as { apiVersion?: unknown; kind?: unknown };
  return `${String(m.apiVersion)}/${String(m.kind)}` in MODELS;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Throws unless `manifest` is a valid Kubernetes object of a kind the SUT or its storage uses:
 * - the OpenAPI schema of its kind (kubernetes-models: types, required fields, enums);
 * - no field unknown to the API (the schema allows extra keys: a typo like `replica:` would pass
 *   it; @kubernetes/client-node's serializer drops unknown fields, so a round trip must be lossless);
 * - names and label values as the API server checks them (DNS-1123 labels, ≤ 63 characters).
 */
export function validateManifest(manifest: unknown): void {
  const m = manifest as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; labels?: unknown };
  };
  const key = `${String(m.apiVersion)}/${String(m.kind)}`;
  const model = MODELS[key];
  if (!model) throw new Error(`no schema for ${key}`);
  new model(structuredClone(manifest) as never).validate();

  const roundTrip: unknown = parse(dumpYaml(manifest));
  const lost = droppedPaths(manifest, roundTrip);
  if (lost.length) throw new Error(`${key}: fields unknown to the Kubernetes API: ${lost.join(', ')}`);

  const name = m.metadata?.name;
  if (typeof name !== 'string' || name.length > 63 || !DNS_LABEL.test(name))
    throw new Error(`${key}: metadata.name ${JSON.stringify(name)} is not a DNS-1123 label`);
  for (const [k, v] of Object.entries((m.metadata?.labels ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      throw new Error(`${key}: label ${k}=${JSON.stringify(v)} is not a valid label value`);
  }
}

/** Paths present in `a` but missing from `b` (leaves compared by presence, not value). */
function droppedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === null || typeof a !== 'object') return [];
  if (b === null || typeof b !== 'object') return [path || '(root)'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    const next = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (v === undefined) continue;
    if (!(k in b)) out.push(next);
    else out.push(...droppedPaths(v, (b as Record<string, unknown>)[k], next));
  }
  return out;
}

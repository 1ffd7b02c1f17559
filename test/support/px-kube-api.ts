import type { V1Deployment, V1StorageClass } from '@kubernetes/client-node';
import { KubeClient } from '../../lib/k8s/kube-client.js';
import type { PortworxDetected } from '../../lib/sut/portworx/portworx-expectations.js';
import { pxFixtureObjects, pxFixtureStorkDeployment } from './px-fixtures.js';
import { RecordedKubeApi, sendJson } from './recorded-kube-api.js';

/** The container.training workshop spec: stork 2.4.0 in kube-system and the `portworx-replicated` class. */
export const WORKSHOP_SPEC =
  'daemonset-portworx-workshop-loop4-internal-kvdb-px2.5.1-container.training.yaml';

/** A recorded object as the API server serves it: in `namespace`, with a status (recorded specs have none). */
export function served(
  d: V1Deployment,
  namespace: string,
  readyReplicas = d.spec?.replicas ?? 1,
): V1Deployment {
  return {
    ...d,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...d.metadata, namespace },
    status: { replicas: d.spec?.replicas ?? 1, readyReplicas },
  };
}

export const recordedStork = (spec = WORKSHOP_SPEC): V1Deployment => pxFixtureStorkDeployment(spec);

/** What the workshop spec's Stork (openstorage/stork:2.4.0, defaults) and its repl "2" class amount to. */
export const WORKSHOP_DETECTED: PortworxDetected = {
  stork: {
    present: true,
    version: { major: 2, minor: 4, patch: 0 },
    healthMonitor: true,
    healthMonitorIntervalS: 120,
  },
  replicationFactor: 2,
};

/** The workshop's StorageClass, served as storage.k8s.io/v1 (the recording says v1beta1, gone since 1.22). */
export function recordedStorageClass(name = 'portworx-replicated'): V1StorageClass {
  const found = pxFixtureObjects<V1StorageClass>(WORKSHOP_SPEC, 'StorageClass').find(
    (sc) => sc.metadata?.name === name,
  );
  if (!found) throw new Error(`${WORKSHOP_SPEC}: no StorageClass ${name}`);
  return { ...found, apiVersion: 'storage.k8s.io/v1' };
}

/** An error answer, with a Status body like the API server's. */
export class Failure {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly message: string,
  ) {}
}

/**
 * A stand-in API server holding what detectPortworx reads: GETs answered from `routes` by path (an
 * object, a Failure, or for a list an array of pages picked by `continue`), 404 NotFound otherwise.
 */
export async function pxKubeApi(
  routes: Record<string, unknown>,
): Promise<{ api: RecordedKubeApi; client: KubeClient; paths: () => string[] }> {
  const api = await new RecordedKubeApi((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = routes[url.pathname];
    const page: unknown = Array.isArray(route) ? route[Number(url.searchParams.get('continue') ?? 0)] : route;
    const answer =
      page ??
      new Failure(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    if (answer instanceof Failure) {
      const { status, reason, message } = answer;
      return sendJson(res, status, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message,
        reason,
        code: status,
      });
    }
    sendJson(res, 200, answer);
  }).start();
  const client = KubeClient.load({ kubeconfig: api.kubeconfig, requestTimeoutMs: 5_000 });
  return { api, client, paths: () => api.requests.map((r) => `${r.method} ${r.path}`) };
}

export const DEPLOYMENT_PATH = (namespace: string, name: string): string =>
  `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
export const ALL_DEPLOYMENTS_PATH = '/apis/apps/v1/deployments';
export const STORAGE_CLASS_PATH = (name: string): string => `/apis/storage.k8s.io/v1/storageclasses/${name}`;

/** A DeploymentList page; `next`: the continue token of the following page. */
export const deploymentList = (items: V1Deployment[], next?: string): unknown => ({
  apiVersion: 'apps/v1',
  kind: 'DeploymentList',
  metadata: { resourceVersion: '1', ...(next && { continue: next }) },
  items,
});

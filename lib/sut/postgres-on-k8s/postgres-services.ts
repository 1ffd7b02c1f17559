import type { V1Service } from '@kubernetes/client-node';
import { POSTGRES_APP, POSTGRES_PORT, type PostgresK8sSettings } from './postgres-k8s-settings.js';

/** The StatefulSet's governing Service (headless: gives the pod its stable network identity). */
export const HEADLESS_SERVICE = 'postgres-pods';
/** What clients in the cluster connect to (by ClusterIP: the kube lab has no DNS add-on). */
export const CLIENT_SERVICE = 'postgres';
/** The same port on every node, for clients outside the cluster (the harness on the host). */
export const NODE_PORT_SERVICE = 'postgres-nodeport';

const selector = { app: POSTGRES_APP };
const port = { name: 'postgres', port: POSTGRES_PORT, targetPort: 'postgres', protocol: 'TCP' };

function service(namespace: string, name: string, spec: V1Service['spec']): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: selector }, spec };
}

export function postgresServices(
  namespace: string,
  settings: Pick<PostgresK8sSettings, 'nodePort'>,
): V1Service[] {
  const services = [
    // publishNotReadyAddresses: the pod's name resolves while it starts, as StatefulSets expect.
    service(namespace, HEADLESS_SERVICE, {
      clusterIP: 'None',
      selector,
      ports: [port],
      publishNotReadyAddresses: true,
    }),
    service(namespace, CLIENT_SERVICE, { type: 'ClusterIP', selector, ports: [port] }),
  ];
  if (settings.nodePort !== undefined) {
    services.push(
      service(namespace, NODE_PORT_SERVICE, {
        type: 'NodePort',
        selector,
        ports: [{ ...port, nodePort: settings.nodePort }],
      }),
    );
  }
  return services;
}

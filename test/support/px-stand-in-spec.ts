import type { KubernetesObject, V1DaemonSet } from '@kubernetes/client-node';

/**
 * A stand-in for Portworx's spec file (Portworx cannot run here), in namespace NAME: see
 * test/integration/portworx-install-kube.test.ts for what is real and what is not.
 */
/** Shaped like the workshop's (names its RBAC and DaemonSet use, in its order). */
export function standInSpec(image: string, NAME: string): KubernetesObject[] {
  const labels = { name: 'portworx' };
  const pxctl = '#!/bin/sh\necho \'{\n "status": "STATUS_OK"\n}\'\n';
  const ds: V1DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'portworx', namespace: NAME, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'px-account',
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [{ key: 'px/enabled', operator: 'NotIn', values: ['false', 'remove'] }],
                  },
                ],
              },
            },
          },
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'portworx',
              image,
              imagePullPolicy: 'Never',
              command: [
                'sh',
                '-c',
                'mkdir -p /opt/pwx/bin && printf "%s" "$PXCTL" > /opt/pwx/bin/pxctl && chmod +x /opt/pwx/bin/pxctl && exec sleep 100000',
              ],
              env: [{ name: 'PXCTL', value: pxctl }],
              readinessProbe: { exec: { command: ['test', '-x', '/opt/pwx/bin/pxctl'] }, periodSeconds: 1 },
              resources: { requests: { cpu: '1m', memory: '8Mi' }, limits: { memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAME } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'px-account', namespace: NAME } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${NAME}-node-get-put-list-role` },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'get', 'update', 'list'] }],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${NAME}-node-role-binding` },
      subjects: [{ kind: 'ServiceAccount', name: 'px-account', namespace: NAME }],
      roleRef: {
        kind: 'ClusterRole',
        name: `${NAME}-node-get-put-list-role`,
        apiGroup: 'rbac.authorization.k8s.io',
      },
    } as KubernetesObject,
    ds,
  ];
}

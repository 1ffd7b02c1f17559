import type { V1Pod } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { MANAGED_BY_PXCHAOS } from '../../k8s/ensure-namespace.js';

/** Labels every helper pod carries: how leftovers and a dead run's helpers are found. */
export const HELPER_COMPONENT = { 'app.kubernetes.io/component': 'node-access' } as const;
export const HELPER_SELECTOR = 'app.kubernetes.io/managed-by=pxchaos,app.kubernetes.io/component=node-access';
/** The node a helper serves, in full (a pod name cannot hold every node name). */
export const HELPER_NODE_ANNOTATION = 'pxchaos.io/node';

export interface HelperPodRequest {
  readonly node: string;
  readonly namespace: string;
  readonly image: string;
  readonly imagePullPolicy?: 'Never' | 'IfNotPresent' | 'Always';
  /** Who made it (ownerAnnotations()): a helper whose owner is provably dead is removed by the next run. */
  readonly owner: Readonly<Record<string, string>>;
}

/**
 * One privileged pod pinned to a node, through which the harness runs node commands
 * (host-exec-argv.ts). Pinned by `nodeName` (no scheduler: taints and cordons do not keep it out),
 * tolerating everything without a time limit (a partitioned node does not evict it), host network
 * and PID (PID 1 is the node's init), no service account token, and nothing running but `sleep`.
 */
export function helperPodSpec(request: HelperPodRequest): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: helperPodName(request.node, request.owner),
      namespace: request.namespace,
      labels: { ...MANAGED_BY_PXCHAOS, ...HELPER_COMPONENT },
      annotations: { ...request.owner, [HELPER_NODE_ANNOTATION]: request.node },
    },
    spec: {
      nodeName: request.node,
      tolerations: [{ operator: 'Exists' }],
      hostNetwork: true,
      hostPID: true,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'node',
          image: request.image,
          imagePullPolicy: request.imagePullPolicy ?? 'IfNotPresent',
          command: ['sleep', 'infinity'],
          securityContext: { privileged: true, runAsUser: 0 },
          // No CPU limit: throttling would slow every command before it leaves for the host's cgroups.
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    },
  };
}

/** `pxchaos-node-<node>-<digest>`: readable, unique per node and owner process, a valid pod name (≤ 63 characters, as a host name). */
export function helperPodName(node: string, owner: Readonly<Record<string, string>>): string {
  const digest = createHash('sha256')
    .update(`${node}\n${JSON.stringify(owner)}`)
    .digest('hex')
    .slice(0, 10);
  const readable = node
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 37)
    .replace(/^-+|-+$/g, '');
  return `pxchaos-node-${readable ? `${readable}-` : ''}${digest}`;
}

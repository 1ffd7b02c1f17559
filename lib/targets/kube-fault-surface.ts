import type { PxchaosConfig } from '../config/config-schema.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { defaultStorageDriver, STORAGE_DRIVER_PROFILES } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { FaultSurface } from './target.js';

/**
 * The fault surface of a Kubernetes target: its worker nodes, and the agent and drive commands of
 * the configured storage driver (`kube.sut`, else gluster for kind and portworx for vm).
 */
export function kubeFaultSurface(
  config: PxchaosConfig,
  target: 'kind' | 'vm',
  where: string,
  nodes: readonly NodeAccess[],
  close: () => Promise<void> = () => Promise.resolve(),
): FaultSurface {
  const driver = config.kube.sut ?? defaultStorageDriver(target);
  const profile = STORAGE_DRIVER_PROFILES[driver];
  return {
    where,
    nodes: new Map(nodes.map((n) => [n.name, n])),
    partitionProbePort: profile.partitionProbePort,
    agentCommands: (node) => profile.agent(node, config),
    driveCommands: (node) => profile.drive(node, config),
    close,
  };
}

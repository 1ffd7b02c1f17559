import type { PxchaosConfig } from '../config/config-schema.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { defaultStorageDriver, driverFaultCommands } from '../sut/postgres-on-k8s/storage-drivers.js';
import type { FaultSurface } from './target.js';

/**
 * The fault surface of a Kubernetes target: its worker nodes, and the agent and drive commands and
 * partition probe port of the configured storage driver (`kube.sut`, else gluster for kind and
 * portworx for vm).
 */
export function kubeFaultSurface(
  config: PxchaosConfig,
  target: 'kind' | 'vm',
  where: string,
  nodes: readonly NodeAccess[],
  close: () => Promise<void> = () => Promise.resolve(),
): FaultSurface {
  const driver = config.kube.sut ?? defaultStorageDriver(target);
  return {
    where,
    nodes: new Map(nodes.map((n) => [n.name, n])),
    ...driverFaultCommands(driver, config),
    close,
  };
}

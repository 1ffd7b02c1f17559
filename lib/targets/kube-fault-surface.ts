import type { NodeAccess } from '../nodes/node-access.js';
import { driverFaultCommands } from '../sut/postgres-on-k8s/storage-drivers.js';
import { storageDriverOf, type KubeTargetTraits } from './kube-target-traits.js';
import type { FaultSurface } from './target.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/**
 * The fault surface of a Kubernetes target: its worker nodes, and the agent and drive commands and
 * partition probe port of the configured storage driver (`kube.sut`, else the target's default).
 */
export function kubeFaultSurface(
  config: PxchaosConfig,
  traits: KubeTargetTraits,
  where: string,
  nodes: readonly NodeAccess[],
  close: () => Promise<void> = () => Promise.resolve(),
): FaultSurface {
  const driver = storageDriverOf(config, traits);
  return {
    where,
    nodes: new Map(nodes.map((n) => [n.name, n])),
    ...driverFaultCommands(driver, config),
    close,
  };
}

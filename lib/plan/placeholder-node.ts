import type { AddressOf } from '../faults/fault-plan.js';
import type { NodeAccess } from '../nodes/node-access.js';

/**
 * A node a plan names by its role (`<primary node>`): faults are built on it exactly as a run builds
 * them on a real node, and any command sent to it fails, since `pxchaos plan` runs none.
 */
export function placeholderNode(name: string): NodeAccess {
  return {
    name,
    address: { kind: 'docker', container: name },
    exec: (argv) =>
      Promise.reject(new Error(`pxchaos plan runs no node command (asked to run ${argv[0]} on ${name})`)),
    close: () => Promise.resolve(),
  };
}

/** A placeholder node's address as a plan shows it: `<primary node>` → `<primary node IP>`. */
export const placeholderAddress: AddressOf = (node) =>
  Promise.resolve(node.name.endsWith('>') ? `${node.name.slice(0, -1)} IP>` : `<${node.name} IP>`);

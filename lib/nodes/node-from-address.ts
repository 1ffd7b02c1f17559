import { DockerExecNode } from './docker-exec-node.js';
import type { NodeAccess, NodeAddress } from './node-access.js';
import { PodNode } from './pod/pod-node.js';
import { SshNode } from './ssh-node.js';

/**
 * Rebuilds node access from a journaled address (after a crash, for `pxchaos heal`): one line per
 * way of reaching a node — a new one adds its address kind (node-access.ts) and a line here.
 */
export function nodeFromAddress(address: NodeAddress, name: string): NodeAccess {
  if (address.kind === 'docker') return new DockerExecNode(name, address.container);
  if (address.kind === 'pod') return new PodNode(name, address);
  return new SshNode({ name, ...address });
}

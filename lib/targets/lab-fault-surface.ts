import { EnvironmentError } from '../errors.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { LAB_LABEL, NODE_LABEL } from '../nodes/docker-label-nodes.js';
import { LAB_FAULT_COMMANDS } from '../sut/patroni/lab-node-commands.js';
import type { FaultSurface } from './target.js';

/**
 * The fault surface of a lab: its node containers, and the lab's agent and drive commands and
 * partition probe port (the ones its PatroniSut has). A partition needs only the containers; the
 * agent and drive need the lab's Patroni there (`patroniUp`), else they refuse naming `lab up`.
 */
export function labFaultSurface(
  lab: string,
  nodes: ReadonlyMap<string, NodeAccess>,
  patroniUp: boolean,
): FaultSurface {
  const needsPatroni = <T>(commands: T): T => {
    if (!patroniUp) throw new EnvironmentError(`lab '${lab}' is not up: run 'pxchaos lab up'`);
    return commands;
  };
  return {
    where: `lab '${lab}'`,
    noNodesHint: `no running containers labelled ${NODE_LABEL} and ${LAB_LABEL}=${lab} (is the lab up?)`,
    nodes,
    partitionProbePort: LAB_FAULT_COMMANDS.partitionProbePort,
    agentCommands: (node) => needsPatroni(LAB_FAULT_COMMANDS.agentCommands(node)),
    driveCommands: (node) => needsPatroni(LAB_FAULT_COMMANDS.driveCommands(node)),
    close: async () => {
      await Promise.allSettled([...nodes.values()].map((n) => n.close()));
    },
  };
}

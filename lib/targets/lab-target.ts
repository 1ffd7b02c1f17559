import type { PxchaosConfig } from '../config/config-schema.js';
import { applyPlacedThresholds, applyThresholds } from '../config/apply-thresholds.js';
import { resolveLab } from '../config/resolve-lab.js';
import { requireDocker } from '../docker/docker-cli.js';
import { labUp } from '../lab/lab-up.js';
import { openLabSut } from '../lab/lab-sut.js';
import { LAB_EXPECTATIONS, LAB_PLACED_EXPECTATIONS } from '../sut/patroni/lab-expectations.js';
import { LAB_LABEL, NODE_LABEL, resolveDockerNodes } from '../nodes/docker-label-nodes.js';
import { LAB_AGENT, LAB_DRIVE } from '../sut/patroni/lab-node-commands.js';
import { EnvironmentError } from '../errors.js';
import { patroniEndpoints } from '../lab/lab-endpoints.js';
import { inspectLab } from '../lab/lab-inspect.js';
import type { Target } from './target.js';

export interface LabTargetOptions {
  /** `--lab` of the verb (a fault by hand): beats the environment and the config (resolveLab). */
  readonly lab?: string;
}

/** The embedded lab: Docker containers of etcd + Patroni + PostgreSQL (`pxchaos lab up`). */
export function labTarget(config: PxchaosConfig, options: LabTargetOptions = {}): Target {
  return {
    name: 'lab',
    async preflight() {
      await requireDocker();
      // Several labs and none named: refuse rather than fault a guessed one.
      const lab = await resolveLab({ flag: options.lab, configFile: config.source, loaded: config });
      return { lockName: `lab ${lab.name}` };
    },
    async open(progress, signal) {
      await labUp({
        name: config.lab.name,
        nodes: config.lab.nodes,
        timings: config.lab.patroni,
        leaderKeyFix: config.lab.leaderKeyFix,
        progress,
        ...(signal && { signal }),
      });
      const sut = await openLabSut(config.lab.name, {
        expectations: applyThresholds(LAB_EXPECTATIONS, config),
        placedExpectations: applyPlacedThresholds(LAB_PLACED_EXPECTATIONS, config),
      });
      return { name: 'lab', sut, close: () => sut.close() };
    },
    async faultSurface() {
      await requireDocker();
      const { name } = await resolveLab({ flag: options.lab, configFile: config.source, loaded: config });
      const nodes = await resolveDockerNodes({ lab: name });
      // A partition needs only the containers; the agent and drive need the lab's Patroni there.
      const patroni = patroniEndpoints(await inspectLab(name)).length > 0;
      const sutCommands = <T>(commands: T): T => {
        if (!patroni) throw new EnvironmentError(`lab '${name}' is not up: run 'pxchaos lab up'`);
        return commands;
      };
      return {
        where: `lab '${name}'`,
        noNodesHint: `no running containers labelled ${NODE_LABEL} and ${LAB_LABEL}=${name} (is the lab up?)`,
        nodes,
        partitionProbePort: 5432,
        agentCommands: () => sutCommands(LAB_AGENT),
        driveCommands: () => sutCommands(LAB_DRIVE),
        close: async () => {
          await Promise.allSettled([...nodes.values()].map((n) => n.close()));
        },
      };
    },
  };
}

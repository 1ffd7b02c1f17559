import { applyPlacedThresholds, applyThresholds } from '../sut/apply-thresholds.js';
import { resolveLab } from '../lab/resolve-lab.js';
import { requireDocker } from '../docker/docker-cli.js';
import { labUp } from '../lab/lab-up.js';
import { patroniTimingSettings } from '../lab/lab-timings.js';
import { openLabSut } from '../lab/lab-sut.js';
import { LAB_EXPECTATIONS, LAB_PLACED_EXPECTATIONS } from '../sut/patroni/lab-expectations.js';
import { resolveDockerNodes } from '../nodes/docker-label-nodes.js';
import { patroniEndpoints } from '../lab/lab-endpoints.js';
import { inspectLab } from '../lab/lab-inspect.js';
import { labFaultSurface } from './lab-fault-surface.js';
import type { Target } from './target.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

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
      const lab = await labUp({
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
        timings: patroniTimingSettings(lab.timings),
      });
      return { name: 'lab', sut, close: () => sut.close() };
    },
    async faultSurface() {
      await requireDocker();
      const { name } = await resolveLab({ flag: options.lab, configFile: config.source, loaded: config });
      const nodes = await resolveDockerNodes({ lab: name });
      return labFaultSurface(name, nodes, patroniEndpoints(await inspectLab(name)).length > 0);
    },
  };
}

import type { PxchaosConfig } from '../config/config-schema.js';
import { applyThresholds } from '../config/apply-thresholds.js';
import { resolveLab } from '../config/resolve-lab.js';
import { requireDocker } from '../docker/docker-cli.js';
import { labUp } from '../lab/lab-up.js';
import { openLabSut } from '../lab/lab-sut.js';
import { LAB_EXPECTATIONS } from '../sut/patroni/lab-expectations.js';
import type { Target } from './target.js';

/** The embedded lab: Docker containers of etcd + Patroni + PostgreSQL (`pxchaos lab up`). */
export function labTarget(config: PxchaosConfig): Target {
  return {
    name: 'lab',
    async preflight() {
      await requireDocker();
      // Several labs and none named: refuse rather than fault a guessed one.
      return { lockName: `lab ${(await resolveLab()).name}` };
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
      });
      return { name: 'lab', sut, close: () => sut.close() };
    },
  };
}

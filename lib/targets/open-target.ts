import type { PxchaosConfig } from '../config/config-schema.js';
import { applyThresholds } from '../config/apply-thresholds.js';
import { EnvironmentError } from '../errors.js';
import { labUp } from '../lab/lab-up.js';
import { openLabSut } from '../sut/patroni/lab-sut.js';
import { LAB_EXPECTATIONS } from '../sut/patroni/lab-expectations.js';
import type { Sut } from '../sut/sut.js';

/** A target that is up, with its SUT ready to be driven. */
export interface OpenTarget {
  readonly name: PxchaosConfig['target'];
  readonly sut: Sut;
  close(): Promise<void>;
}

/**
 * Gets the configured target (reusing a healthy one) and opens its SUT, with the config's
 * thresholds applied to the SUT's expectations. Scenarios only ever see the returned `Sut`.
 */
export async function openTarget(
  config: PxchaosConfig,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<OpenTarget> {
  switch (config.target) {
    case 'lab': {
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
    }
    case 'kind':
    case 'vm':
      throw targetUnavailable(config.target);
  }
}

function targetUnavailable(target: PxchaosConfig['target']): EnvironmentError {
  return new EnvironmentError(
    `target '${target}': the Portworx/Kubernetes path is not available in this version; use --target lab`,
  );
}

/**
 * Throws EnvironmentError (exit 3) for a target this version cannot open, so `run` refuses it
 * before anything starts instead of failing every scenario.
 */
export function checkTargetAvailable(target: PxchaosConfig['target']): void {
  if (target === 'kind' || target === 'vm') throw targetUnavailable(target);
}

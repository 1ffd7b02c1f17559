import type { PxchaosConfig } from '../config/config-schema.js';
import { EnvironmentError } from '../errors.js';
import { labTarget } from './lab-target.js';
import type { Target, TargetName } from './target.js';

/** A target this version cannot open: refused in preflight (exit 3) before anything runs. */
function notYetTarget(name: TargetName): Target {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new EnvironmentError(
        `target '${name}': the Portworx/Kubernetes path is not available in this version; use --target lab`,
      ),
    );
  return { name, preflight: refuse, open: refuse };
}

const TARGETS: Readonly<Record<TargetName, (config: PxchaosConfig) => Target>> = {
  lab: labTarget,
  kind: () => notYetTarget('kind'),
  vm: () => notYetTarget('vm'),
};

/** The configured target. */
export function targetFor(config: PxchaosConfig): Target {
  return TARGETS[config.target](config);
}

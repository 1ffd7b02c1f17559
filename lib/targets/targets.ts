import type { PxchaosConfig } from '../config/config-schema.js';
import { kindTarget } from './kind-target.js';
import { labTarget } from './lab-target.js';
import type { Target, TargetName } from './target.js';
import { vmTarget } from './vm-target.js';

const TARGETS: Readonly<Record<TargetName, (config: PxchaosConfig) => Target>> = {
  lab: labTarget,
  kind: (config) => kindTarget(config),
  vm: (config) => vmTarget(config),
};

/** The configured target. */
export function targetFor(config: PxchaosConfig): Target {
  return TARGETS[config.target](config);
}

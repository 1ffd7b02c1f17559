import type { PxchaosConfig } from '../config/config-schema.js';
import { kindTarget } from './kind-target.js';
import { labTarget, type LabTargetOptions } from './lab-target.js';
import type { Target, TargetName } from './target.js';
import { vmTarget } from './vm-target.js';

const TARGETS: Readonly<Record<TargetName, (config: PxchaosConfig, options: TargetOptions) => Target>> = {
  lab: labTarget,
  kind: (config) => kindTarget(config),
  vm: (config) => vmTarget(config),
};

/** What a verb adds to the configuration: the lab named by its `--lab` flag. */
export type TargetOptions = LabTargetOptions;

/** The configured target. */
export function targetFor(config: PxchaosConfig, options: TargetOptions = {}): Target {
  return TARGETS[config.target](config, options);
}

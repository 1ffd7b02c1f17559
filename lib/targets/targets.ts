import type { PxchaosConfig } from '../pxchaos-config.js';
import { UsageError } from '../errors.js';
import { KIND_TRAITS, kindTarget } from './kind-target.js';
import { KUBE_TRAITS, kubeTarget } from './kube-target.js';
import type { KubeTargetTraits } from './kube-target-traits.js';
import { labTarget, type LabTargetOptions } from './lab-target.js';
import type { Target, TargetName } from './target.js';
import { VM_TRAITS, vmTarget } from './vm-target.js';

interface TargetEntry {
  readonly open: (config: PxchaosConfig, options: TargetOptions) => Target;
  /** Whether the verb's `--lab` can name what it acts on. */
  readonly takesLab?: boolean;
  /** Kubernetes targets: what they declare for plan, teardown and the shared Kubernetes code. */
  readonly kube?: KubeTargetTraits;
}

/** The targets, one line each: what the verbs ask instead of comparing target names. */
const TARGETS: Readonly<Record<TargetName, TargetEntry>> = {
  lab: { open: labTarget, takesLab: true },
  kind: { open: (config) => kindTarget(config), kube: KIND_TRAITS },
  vm: { open: (config) => vmTarget(config), kube: VM_TRAITS },
  kube: { open: (config) => kubeTarget(config), kube: KUBE_TRAITS },
};

/** What a verb adds to the configuration: the lab named by its `--lab` flag. */
export type TargetOptions = LabTargetOptions;

/** The configured target; `--lab` is refused (exit 2) by a target that runs no lab. */
export function targetFor(config: PxchaosConfig, options: TargetOptions = {}): Target {
  const entry = TARGETS[config.target];
  if (options.lab !== undefined && !entry.takesLab)
    throw new UsageError(`--lab names a lab, but the target is ${config.target}`);
  return entry.open(config, options);
}

/** The Kubernetes targets' names, in the registry's order (`kind|vm` in messages). */
export const KUBE_TARGETS: readonly TargetName[] = (Object.keys(TARGETS) as TargetName[]).filter(
  (name) => TARGETS[name].kube !== undefined,
);

/** What the target of that name declares as a Kubernetes target; undefined for any other name. */
export function kubeTargetTraits(name: string): KubeTargetTraits | undefined {
  return Object.hasOwn(TARGETS, name) ? TARGETS[name as TargetName].kube : undefined;
}

import type { PxchaosConfig } from '../config/config-schema.js';
import type { Sut } from '../sut/sut.js';

export type TargetName = PxchaosConfig['target'];

/** A target that is up, with its SUT ready to be driven. */
export interface OpenTarget {
  readonly name: TargetName;
  readonly sut: Sut;
  close(): Promise<void>;
}

/**
 * Where scenarios run (the lab, a kind cluster, VMs). Each target is one implementation of this
 * interface, registered in targets.ts; nothing else branches on the target's name.
 */
export interface Target {
  readonly name: TargetName;
  /**
   * Checks, touching nothing, that this target can be used at all (Docker there, the cluster named
   * unambiguously, access configured): throws UsageError (exit 2) or EnvironmentError (exit 3) with
   * one line. Resolves to the name of the run lock: one run per lab or cluster at a time.
   */
  preflight(signal?: AbortSignal): Promise<{ readonly lockName: string }>;
  /** Gets the target ready (reusing a healthy one) and opens its SUT, expectations and thresholds applied. */
  open(progress: (line: string) => void, signal?: AbortSignal): Promise<OpenTarget>;
}

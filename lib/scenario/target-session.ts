import type { PxchaosConfig } from '../config/config-schema.js';
import type { OpenTarget } from '../targets/target.js';
import { targetFor } from '../targets/targets.js';

/** A scenario's hold on the opened target: release() closes it unless a run session keeps it. */
export interface TargetLease {
  readonly target: OpenTarget;
  release(): Promise<void>;
}

interface Session {
  opened?: Promise<OpenTarget>;
  /** Aborted when the session ends, so that an open still arranging fails now and tears down. */
  readonly ended: AbortController;
}

let session: Session | undefined;

/**
 * `pxchaos run` opens its target once for all its scenarios: on Kubernetes that is one run namespace,
 * one initdb and one pgbench load for the whole suite instead of one per scenario (each scenario
 * still settles the SUT, checks the data and takes its own digest first, as the lab's scenarios
 * do on their reused lab). endTargetSession() closes it when the run ends.
 */
export function beginTargetSession(): void {
  session = { ended: new AbortController() };
}

/**
 * Closes the session's target (on Kubernetes: deletes the run namespace); a no-op without one. An
 * open still in progress (the run interrupted while arranging) is aborted: it deletes what it made.
 */
export async function endTargetSession(): Promise<void> {
  const ending = session;
  session = undefined;
  ending?.ended.abort(new Error('the run ended'));
  const target = await ending?.opened?.catch(() => undefined);
  await target?.close();
}

/**
 * The configured target, opened: the session's (opened on first use; a failed open is retried by
 * the next scenario) or, outside a session (a scenario spec run by plain mocha), the scenario's own.
 */
export async function leaseTarget(
  config: PxchaosConfig,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<TargetLease> {
  if (!session) {
    const target = await targetFor(config).open(progress, signal);
    return { target, release: () => target.close() };
  }
  const current = session;
  current.opened ??= targetFor(config).open(progress, AbortSignal.any([signal, current.ended.signal]));
  try {
    const target = await current.opened;
    return { target, release: () => Promise.resolve() };
  } catch (err) {
    current.opened = undefined;
    throw err;
  }
}

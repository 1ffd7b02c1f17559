import type { OpenTarget } from '../targets/target.js';
import { targetFor } from '../targets/targets.js';
import { PxchaosError } from '../errors.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

/** A scenario's hold on the opened target: release() closes it unless a run session keeps it. */
export interface TargetLease {
  readonly target: OpenTarget;
  /** What opening the target cleaned up, given to the first scenario that leases it (for its report). */
  readonly notes: readonly string[];
  /** Whether an earlier scenario ran on this target (a run session's target, opened before). */
  readonly reused: boolean;
  release(): Promise<void>;
  /**
   * Closes the target and opens it afresh (a lab found unhealthy is recreated, a Kubernetes target
   * gets a new run namespace and Postgres): the session's too, so later scenarios use the new one.
   */
  rearrange(progress: (line: string) => void, signal: AbortSignal): Promise<TargetLease>;
}

interface Session {
  opened?: Promise<OpenTarget>;
  /** Lines for the first scenario's report: what was cleaned up before it (dead runs' faults, namespaces). */
  readonly notes: string[];
  notesTold?: boolean;
  /** A scenario has leased the opened target (the next one reuses it). */
  leased?: boolean;
  /** Aborted when the session ends, so that an open still arranging fails now and tears down. */
  readonly ended: AbortController;
}

/** Building a lab, or arranging Postgres on a slow Kubernetes volume, takes minutes (progress meanwhile). */
export const OPEN_TIMEOUT_MS = 900_000;

let session: Session | undefined;

/**
 * `pxchaos run` opens its target once for all its scenarios: on Kubernetes that is one run namespace,
 * one initdb and one pgbench load for the whole suite instead of one per scenario (each scenario
 * still settles the SUT, checks the data and takes its own digest first, as the lab's scenarios
 * do on their reused lab). endTargetSession() closes it when the run ends.
 */
export function beginTargetSession(notes: readonly string[] = []): void {
  session = { ended: new AbortController(), notes: [...notes] };
}

/**
 * Opens the session's target now, before any scenario: a target that refuses (bad input, exit 2;
 * another run's namespace or no claimable volume, exit 3) stops the run at once with its one line
 * instead of failing every check of every scenario. Any other failure is left to the scenarios,
 * which retry the open and report it as their checks' failure.
 */
export async function openSessionTarget(
  config: PxchaosConfig,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const current = session;
  if (!current) throw new Error('openSessionTarget needs beginTargetSession first');
  current.opened = targetFor(config).open(progress, AbortSignal.any([signal, current.ended.signal]));
  try {
    await current.opened;
  } catch (err) {
    current.opened = undefined;
    if (err instanceof PxchaosError) throw err;
  }
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
    return {
      target,
      notes: target.notes ?? [],
      reused: false,
      release: () => target.close(),
      async rearrange(again, againSignal) {
        await target.close();
        return leaseTarget(config, again, againSignal);
      },
    };
  }
  const current = session;
  const reused = current.opened !== undefined && current.leased === true;
  current.opened ??= targetFor(config).open(progress, AbortSignal.any([signal, current.ended.signal]));
  try {
    const target = await current.opened;
    const notes = current.notesTold ? [] : [...current.notes, ...(target.notes ?? [])];
    current.notesTold = true;
    current.leased = true;
    return {
      target,
      notes,
      reused,
      release: () => Promise.resolve(),
      async rearrange(again, againSignal) {
        // Only the session's current target is closed: a scenario holding an older lease cannot close a newer one.
        if (session === current && current.opened) {
          const opened = current.opened;
          current.opened = undefined;
          current.leased = false;
          await (await opened.catch(() => undefined))?.close();
        }
        return leaseTarget(config, again, againSignal);
      },
    };
  } catch (err) {
    current.opened = undefined;
    throw err;
  }
}

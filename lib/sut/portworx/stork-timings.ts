import {
  formatStorkVersion,
  STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S,
  STORK_HEALTH_MONITOR_INTERVAL_MIN_S,
  storkAtLeast,
  type StorkConfig,
  type StorkVersion,
} from './stork-config.js';

/**
 * Stork's health-monitor timings for the detected Stork, by version, each read in
 * libopenstorage/stork (cited below as `stork`; line numbers at commit 9dc32046 of 2024-10-24
 * unless a tag is named, where each value was also checked at the tags before and after its change):
 * - `--health-monitor-interval` (cmd/stork/stork.go l.142–146, default 120) is checked by
 *   `Monitor.Start` (pkg/monitor/monitor.go l.78–82): 0 means 120 s; below 30 s it returns
 *   "minimum interval for health monitor is 30 seconds", and stork.go l.546–549 `log.Fatalf`s on it:
 *   Stork exits at start-up (crash-loops), it does not clamp. Unchanged since v2.0.0. The health
 *   monitor only starts with `--health-monitor` (l.546), so the interval is not checked without it.
 * - After a poll sees a node Offline, Stork re-checks it with `wait.ExponentialBackoff` of 10 s,
 *   5 steps (monitor.go l.30–32): 5 checks with 4 waits between them. Before v2.3.4 there was no
 *   backoff (the pods went at the poll that saw the node Offline); from v2.3.4 (commit 2033f1fb,
 *   2020-04-18) factor 1: 4 × 10 s = 40 s (v2.8.2: monitor.go l.27–29); from v2.9.0 (commit
 *   44fe3c71, 2022-02-10, STOR-484) factor 2: 10 + 20 + 40 + 80 = 150 s (v2.9.0: l.28–30).
 * - Since v24.3.1 (commit 8a25ce2d, PR #1834) the pods of a node go in batches of 5, 30 s apart
 *   (monitor.go l.33–34, l.336–381); before, all at once after the backoff.
 * An unknown version (an image tag without one) is given the widest span: the 40 s backoff at the
 * earliest (a Stork from before April 2020 is assumed not to run), 150 s and a batch at the latest.
 */

/** The backoffs' eras, each with the first release that has it. */
const BACKOFF_SINCE = { v40s: { major: 2, minor: 3, patch: 4 }, v150s: { major: 2, minor: 9 } } as const;
const BATCHES_SINCE = { major: 24, minor: 3, patch: 1 } as const;
export const STORK_BACKOFF_S = 150;
export const STORK_BACKOFF_2020_S = 40;
export const STORK_BATCH_INTERVAL_S = 30;

export interface StorkHealthMonitor {
  /** Stork runs (its extender places pods): false when its flags make it exit at start-up. */
  readonly runs: boolean;
  /** Its health monitor deletes pods off a node whose PX is Offline. */
  readonly deletes: boolean;
  /** Between its polls, as Stork uses it (0 given: 120). */
  readonly intervalS: number;
  /** From the poll that sees a node Offline to the deletion, at the earliest and at the latest. */
  readonly backoffS: { readonly least: number; readonly most: number };
  /** How long our pod may wait for its batch: 30 s where pods go in batches, else 0. */
  readonly batchS: number;
  /** What the Stork does, with where each figure comes from. */
  readonly said: string;
}

function atLeast(v: StorkVersion, since: { major: number; minor: number; patch?: number }): boolean {
  if (!storkAtLeast(v, since.major, since.minor)) return false;
  if (v.major !== since.major || v.minor !== since.minor) return true;
  return (v.patch ?? 0) >= (since.patch ?? 0);
}

function backoff(v: StorkVersion | undefined): StorkHealthMonitor['backoffS'] & { said: string } {
  if (v === undefined)
    return {
      least: STORK_BACKOFF_2020_S,
      most: STORK_BACKOFF_S,
      said: `backoff ${STORK_BACKOFF_2020_S}–${STORK_BACKOFF_S} s (version unknown: 40 s from v2.3.4, 150 s from v2.9.0, stork pkg/monitor/monitor.go)`,
    };
  if (atLeast(v, BACKOFF_SINCE.v150s))
    return {
      least: STORK_BACKOFF_S,
      most: STORK_BACKOFF_S,
      said: `backoff 10+20+40+80 = ${STORK_BACKOFF_S} s (since stork v2.9.0, commit 44fe3c71)`,
    };
  if (atLeast(v, BACKOFF_SINCE.v40s))
    return {
      least: STORK_BACKOFF_2020_S,
      most: STORK_BACKOFF_2020_S,
      said: `backoff 4 × 10 = ${STORK_BACKOFF_2020_S} s (stork v2.3.4 to v2.8, commit 2033f1fb; 150 s only from v2.9.0)`,
    };
  return {
    least: 0,
    most: 0,
    said: 'no backoff (before stork v2.3.4: pods deleted at the poll that sees the node Offline)',
  };
}

/** What the detected Stork's health monitor does, and when. */
export function storkHealthMonitor(stork: StorkConfig): StorkHealthMonitor {
  const version = formatStorkVersion(stork.version);
  const given = stork.healthMonitorIntervalS;
  const intervalS = given === 0 ? STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S : given;
  const none = { intervalS, backoffS: { least: 0, most: 0 }, batchS: 0 };
  if (!stork.present) return { ...none, runs: false, deletes: false, said: 'no Stork Deployment detected' };
  if (!stork.healthMonitor)
    return {
      ...none,
      runs: true,
      deletes: false,
      said: `Stork ${version} with its health monitor off (--health-monitor=false detected in the stork Deployment)`,
    };
  if (intervalS < STORK_HEALTH_MONITOR_INTERVAL_MIN_S)
    return {
      ...none,
      runs: false,
      deletes: false,
      said: `Stork ${version} exits at start-up: --health-monitor-interval=${given} is below its minimum ${STORK_HEALTH_MONITOR_INTERVAL_MIN_S} s, which Stork refuses (log.Fatalf "minimum interval for health monitor is 30 seconds", stork pkg/monitor/monitor.go l.80–81, cmd/stork/stork.go l.546–549), so no Stork acts`,
    };
  const b = backoff(stork.version);
  const batches = stork.version === undefined || atLeast(stork.version, BATCHES_SINCE);
  const batchS = batches ? STORK_BATCH_INTERVAL_S : 0;
  return {
    runs: true,
    deletes: true,
    intervalS,
    backoffS: { least: b.least, most: b.most },
    batchS,
    said: `Stork ${version} health monitor every ${intervalS} s (detected from the stork Deployment${
      given === 0 ? ', --health-monitor-interval=0: Stork uses 120 s' : ''
    }), ${b.said}, ${
      batches
        ? `pods in batches of 5 every ${STORK_BATCH_INTERVAL_S} s (since stork v24.3.1, PR #1834)`
        : 'all pods at once (batches only from stork v24.3.1)'
    }`,
  };
}

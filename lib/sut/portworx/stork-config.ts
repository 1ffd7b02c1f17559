import type { V1Container, V1Deployment } from '@kubernetes/client-node';

/**
 * What a cluster's Stork does when a Portworx node fails, as read from its Deployment (docs:
 * ../shared/docs/portworx.md "Agent down", ../shared/fixtures/portworx/SOURCES.md §7 and "I. Stork
 * event"). The expectations (portworx-expectations.ts) are computed from it.
 */
export interface StorkConfig {
  /** A Stork Deployment was found. */
  readonly present: boolean;
  /** From the stork image tag; absent when the tag says no version (`latest`, a digest, none). */
  readonly version?: StorkVersion;
  /** The health monitor force-deletes pods off a node whose PX is offline (`--health-monitor`). */
  readonly healthMonitor: boolean;
  /**
   * How often the health monitor polls PX (`--health-monitor-interval`), as the args say: 0 and
   * values below Stork's minimum are kept as given (stork-timings.ts says what Stork makes of them).
   */
  readonly healthMonitorIntervalS: number;
}

export interface StorkVersion {
  readonly major: number;
  readonly minor: number;
  /** When the tag has one (some of Stork's timings changed in a patch release: stork-timings.ts). */
  readonly patch?: number;
}

/**
 * Stork's defaults: the health monitor is on (portworx.md "Agent down": "on by default"; a BoolT
 * flag `--health-monitor`), polling every 120 s (`--health-monitor-interval` default 120, stork
 * `cmd/stork/stork.go` l.142–146). 30 s is the least Stork accepts: below it Stork exits at start-up,
 * 0 means 120 s (`pkg/monitor/monitor.go` l.78–82; stork-timings.ts).
 */
export const STORK_HEALTH_MONITOR_DEFAULT = true;
export const STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S = 120;
export const STORK_HEALTH_MONITOR_INTERVAL_MIN_S = 30;

/** No Stork in the cluster: nothing moves a pod off a node whose PX is down. */
export const NO_STORK: StorkConfig = {
  present: false,
  healthMonitor: false,
  healthMonitorIntervalS: STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S,
};

/**
 * The Stork configuration a Deployment states. `undefined` (none found in the cluster) is no Stork.
 * The stork container is the one named `stork`, else the one whose image is `…/stork`; its command
 * and args are read together, as Stork receives them (`--flag=value`, `--flag value`, `-flag=value`).
 * Throws when the Deployment has no stork container or a flag's value cannot be read: the
 * expectations would otherwise rest on a guess.
 */
export function readStorkConfig(deployment: V1Deployment | undefined): StorkConfig {
  if (!deployment) return NO_STORK;
  const name = deployment.metadata?.name ?? '<unnamed>';
  const container = storkContainer(deployment);
  if (!container) throw new Error(`could not read Stork config: Deployment ${name} has no stork container`);
  const flags = readFlags(container);
  const version = storkVersion(container.image);
  return {
    present: true,
    ...(version && { version }),
    healthMonitor: boolFlag(flags, 'health-monitor', STORK_HEALTH_MONITOR_DEFAULT, name),
    healthMonitorIntervalS: intFlag(
      flags,
      'health-monitor-interval',
      STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S,
      name,
    ),
  };
}

/**
 * The stork container of a Deployment: the one named `stork` (every recorded install spec, and the
 * Operator's `storkContainerName`), else the one whose image is `…/stork` (a renamed container).
 * The stork-scheduler Deployment runs kube-scheduler, so it has none.
 */
export function storkContainer(deployment: V1Deployment): V1Container | undefined {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return (
    containers.find((c) => c.name === 'stork') ?? containers.find((c) => imageRepoName(c.image) === 'stork')
  );
}

/** `a.b[.c]` from the image tag `…/stork:a.b[.c][.d][-suffix]` (a leading `v` allowed); otherwise undefined. */
export function storkVersion(image: string | undefined): StorkVersion | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon < 0) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)*(?:[-+].*)?$/.exec(withoutDigest.slice(colon + 1));
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), ...(m[3] !== undefined && { patch: Number(m[3]) }) };
}

/** Whether a version is at least `major.minor`. */
export function storkAtLeast(version: StorkVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

export function formatStorkVersion(v: StorkVersion | undefined): string {
  return v ? `${v.major}.${v.minor}` : 'unknown';
}

/** `registry:5000/openstorage/stork:2.6.0@sha256:…` → `stork`: the last path element, without tag or digest. */
function imageRepoName(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const repo = image.split('@')[0] ?? '';
  return repo.slice(repo.lastIndexOf('/') + 1).split(':')[0];
}

/** Flags that take a value; `--name value` is read for these only (a bool flag never takes the next word). */
const VALUE_FLAGS = new Set(['health-monitor-interval']);

/** The last value given for each `--name` / `-name` flag; a bare flag is `''`. */
function readFlags(container: V1Container): Map<string, string> {
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(words[i] ?? '');
    if (!m?.[1]) continue;
    if (m[2] !== undefined) {
      flags.set(m[1], m[2]);
    } else if (VALUE_FLAGS.has(m[1]) && i + 1 < words.length) {
      flags.set(m[1], words[++i] ?? '');
    } else {
      flags.set(m[1], '');
    }
  }
  return flags;
}

/** Go's strconv.ParseBool, which both flag packages Stork has used apply; a bare flag is true. */
function boolFlag(flags: Map<string, string>, flag: string, dflt: boolean, deployment: string): boolean {
  const v = flags.get(flag);
  if (v === undefined) return dflt;
  if (['', '1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new Error(`could not read Stork config: Deployment ${deployment} has --${flag}=${v}, not a boolean`);
}

function intFlag(flags: Map<string, string>, flag: string, dflt: number, deployment: string): number {
  const v = flags.get(flag);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) {
    throw new Error(
      `could not read Stork config: Deployment ${deployment} has --${flag}=${v}, not whole seconds`,
    );
  }
  return Number(v);
}

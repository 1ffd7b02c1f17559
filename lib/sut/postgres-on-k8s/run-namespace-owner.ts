import type { V1Namespace } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { ownerAlive, processStartTime } from '../../faults/journal.js';

/** Annotations on a run namespace naming the process that made it. */
export const OWNER_PID = 'pxchaos.io/owner-pid';
export const OWNER_PID_START = 'pxchaos.io/owner-pid-start';
export const OWNER_HOST = 'pxchaos.io/owner-host';
export const STARTED_AT = 'pxchaos.io/started-at';

/** This process, as a run namespace's annotations. */
export function ownerAnnotations(): Record<string, string> {
  const pidStart = processStartTime(process.pid);
  return {
    [OWNER_PID]: String(process.pid),
    ...(pidStart !== undefined && { [OWNER_PID_START]: pidStart }),
    [OWNER_HOST]: hostname(),
    [STARTED_AT]: new Date().toISOString(),
  };
}

/**
 * Is the run that made this namespace still running? `dead` only when provably so: its owner is a
 * process of this host (pid and start time) that no longer exists. A namespace without the
 * annotations (made by an older harness) or made on another host is `unknown`: never touched.
 */
export interface RunLiveness {
  readonly state: 'live' | 'dead' | 'unknown';
  /** "pid 123 on ci-1, started 2026-…" or why the owner is not known. */
  readonly owner: string;
}

/** Of a run namespace, or any object with the owner annotations (a node-access helper pod). */
export function runLiveness(ns: Pick<V1Namespace, 'metadata'>, thisHost = hostname()): RunLiveness {
  const a = ns.metadata?.annotations ?? {};
  const pid = Number(a[OWNER_PID]);
  const host = a[OWNER_HOST];
  if (!Number.isInteger(pid) || pid <= 0 || !host)
    return { state: 'unknown', owner: 'no owner recorded (made by an older pxchaos)' };
  const pidStart = a[OWNER_PID_START];
  const owner = `pid ${pid} on ${host}${a[STARTED_AT] ? `, started ${a[STARTED_AT]}` : ''}`;
  if (host !== thisHost)
    return { state: 'unknown', owner: `${owner} (another host: its liveness cannot be checked here)` };
  const alive = ownerAlive({ pid, host, ...(pidStart !== undefined && { pidStart }) });
  return { state: alive ? 'live' : 'dead', owner };
}

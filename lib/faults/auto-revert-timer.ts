import type { ExecOptions } from '../nodes/exec-result.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { shellJoin, shellQuote } from '../nodes/shell-quote.js';

const MARKER_PREFIX = 'pxchaos-timer-';

/** The marker put in a timer's argv: found with `pgrep -f`, unique per fault. */
export function timerMarker(faultId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(faultId)) throw new Error(`fault id '${faultId}' must be [A-Za-z0-9_.-]+`);
  return `${MARKER_PREFIX}${faultId}`;
}

/**
 * A pgrep/pkill pattern for a marker that does not match itself: "[p]xchaos-timer-x" matches
 * "pxchaos-timer-x" but not its own text, so the shell (or `timeout`, or sshd's `sh -c`) that
 * carries the pattern in its argv is never taken for the timer.
 */
export function selfExcludingPattern(marker: string): string {
  return `[${marker.slice(0, 1)}]${marker.slice(1)}`;
}

/** Pattern matching any pxchaos timer. */
export const ANY_TIMER_PATTERN = selfExcludingPattern(MARKER_PREFIX);

/**
 * argv that starts the timer on the node: after `delayMs` it runs `revert`, even if the harness that
 * started it was SIGKILLed or its exec session (docker exec, SSH channel) went away. `setsid -f`
 * forks into a new session and process group (out of reach of the exec's `timeout` wrapper and of
 * SIGHUP), `nohup` ignores SIGHUP anyway, and stdio on /dev/null lets the exec return at once
 * instead of waiting for the timer's pipes to close. PID 1 (tini in the lab) reaps it.
 */
export function timerStartArgv(marker: string, delayMs: number, revert: readonly string[]): string[] {
  return timerStartArgvSleeping(marker, timerSleep(delayMs), revert);
}

/** timerStartArgv with the sleep's argument as text: `pxchaos plan` shows a placeholder there. */
export function timerStartArgvSleeping(marker: string, sleep: string, revert: readonly string[]): string[] {
  return ['sh', '-c', `exec ${START_TIMER}`, 'pxchaos-start-timer', timerBody(sleep, revert), marker];
}

/** The sleep's argument: whole seconds, at least 1. */
const timerSleep = (delayMs: number): string => String(Math.max(1, Math.ceil(delayMs / 1000)));

/** What the detached timer shell runs. */
const timerBody = (sleep: string, revert: readonly string[]): string =>
  `sleep ${sleep}; ${shellJoin(revert)}`;

/** Starts the detached timer shell: its script is $1, its $0 (found by pgrep) the marker, $2. */
const START_TIMER = 'setsid -f nohup sh -c "$1" "$2" </dev/null >/dev/null 2>&1';

/** Exit status of timerThenArgv when the timer could not start (`then` did not run). */
const TIMER_NOT_STARTED_EXIT = 125;

/**
 * argv that starts the timer and then, in the same exec, runs `then` — only once the timer runs, so
 * the fault is never in force without its backstop. One round trip to the node instead of two: the
 * inject's latency is one exec's.
 */
export function timerThenArgv(
  marker: string,
  delayMs: number,
  revert: readonly string[],
  then: readonly string[],
): string[] {
  return [
    'sh',
    '-c',
    `${START_TIMER} || exit ${TIMER_NOT_STARTED_EXIT}; shift 2; exec "$@"`,
    'pxchaos-inject',
    timerBody(timerSleep(delayMs), revert),
    marker,
    ...then,
  ];
}

/**
 * argv that cancels a timer: kills its process group (the setsid'ed `sh` leads it, so its `sleep`
 * goes too), with `pkill -g` rather than `kill -- -PGID`, which the nodes' /bin/sh (dash) rejects
 * ("Illegal number"), leaving the `sleep` orphaned until it ran out. Exit 0 whether or not the
 * timer was still pending.
 */
export function timerCancelArgv(marker: string): string[] {
  const pattern = shellQuote(selfExcludingPattern(marker));
  const script = `for p in $(pgrep -f ${pattern}); do pkill -TERM -g "$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done; true`;
  return ['sh', '-c', script];
}

/** argv that lists pending timers ("pid argv" lines). */
export function timerListArgv(pattern = ANY_TIMER_PATTERN): string[] {
  return ['pgrep', '-af', pattern];
}

export async function cancelAutoRevertTimer(
  node: NodeAccess,
  marker: string,
  options: ExecOptions = {},
): Promise<void> {
  await node.exec(timerCancelArgv(marker), { timeoutMs: 15_000, ...options });
}

/** Is the timer still pending on the node? */
export async function timerPending(
  node: NodeAccess,
  marker: string,
  options: ExecOptions = {},
): Promise<boolean> {
  const r = await node.exec(timerListArgv(selfExcludingPattern(marker)), {
    timeoutMs: 15_000,
    ...options,
    check: false,
  });
  return r.exitCode === 0 && r.stdout.trim() !== '';
}

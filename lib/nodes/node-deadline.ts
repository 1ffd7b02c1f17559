/** Exit status of coreutils `timeout` when it had to stop the command. */
export const NODE_TIMEOUT_EXIT = 124;

/** Extra time the transport waits past the node-side deadline, so the node reports first. */
export const NODE_DEADLINE_SLACK_MS = 3_000;

/**
 * Wraps argv so the deadline also holds ON the node. Killing a `docker exec` client or closing an
 * SSH channel does not stop the remote process (no pty, no SIGHUP), so a hung `iptables` or `psql`
 * would outlive its caller. coreutils `timeout` runs the command in its own process group and
 * kills the whole group: TERM at the deadline, KILL 2 s later.
 */
export function withNodeDeadline(argv: readonly string[], timeoutMs: number): string[] {
  const seconds = Math.max(0.1, timeoutMs / 1000);
  return ['timeout', '--kill-after=2s', `${Number(seconds.toFixed(3))}s`, ...argv];
}

/**
 * True when a wrapped command's exit status means "the node-side deadline fired": 124, and the
 * call lasted about as long as the deadline (a command that itself exits 124 early is not a timeout).
 */
export function isNodeDeadlineExit(exitCode: number, durationMs: number, timeoutMs: number): boolean {
  return (exitCode === NODE_TIMEOUT_EXIT || exitCode === 137) && durationMs >= timeoutMs * 0.95;
}

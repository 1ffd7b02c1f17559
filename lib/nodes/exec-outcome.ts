import { CommandFailedError, CommandTimeoutError } from './exec-errors.js';
import type { ExecResult } from './exec-result.js';
import { isNodeDeadlineExit } from './node-deadline.js';

/**
 * The common end of every transport's exec, once an exit status arrived: the node-side deadline's
 * verdict, the result as a value, and a non-zero exit thrown unless the caller opted out.
 */
export function execOutcome(
  result: ExecResult,
  options: { readonly timeoutMs: number; readonly nodeSideDeadline: boolean; readonly check?: boolean },
): ExecResult {
  if (options.nodeSideDeadline && isNodeDeadlineExit(result.exitCode, result.durationMs, options.timeoutMs)) {
    throw new CommandTimeoutError(result.node, result.argv, options.timeoutMs);
  }
  if (result.exitCode !== 0 && options.check !== false) throw new CommandFailedError(result);
  return result;
}

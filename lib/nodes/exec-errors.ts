import type { ExecResult } from './exec-result.js';

/**
 * A command as one short line for messages: argv joined, only its first line, at most 80
 * characters (a revert script of several lines must not turn an error into a screenful).
 */
export function commandLabel(argv: readonly string[]): string {
  const text = argv.join(' ');
  const firstLine = text.split('\n')[0] ?? '';
  const short = firstLine.length > 80 ? firstLine.slice(0, 79) : firstLine;
  return short.length < text.length ? `${short}…` : short;
}

/** Base class of the three ways a node command can go wrong. */
export abstract class NodeExecError extends Error {
  constructor(
    message: string,
    readonly node: string,
    readonly argv: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command ran and exited non-zero; the result is attached. */
export class CommandFailedError extends NodeExecError {
  constructor(readonly result: ExecResult) {
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
    super(
      `${result.node}: '${commandLabel(result.argv)}' exited ${result.exitCode}${tail ? `: ${tail}` : ''}`,
      result.node,
      result.argv,
    );
  }
}

/** The deadline passed before the command finished. The command may still be running on the node. */
export class CommandTimeoutError extends NodeExecError {
  constructor(
    node: string,
    argv: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(`${node}: '${commandLabel(argv)}' did not finish within ${timeoutMs}ms`, node, argv);
  }
}

/** The transport (docker exec, SSH) went away before an exit status arrived. */
export class ConnectionLostError extends NodeExecError {
  constructor(
    node: string,
    argv: readonly string[],
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${node}: connection lost running '${commandLabel(argv)}': ${reason}`, node, argv, options);
  }
}

/** The node itself is gone (its container removed, its machine deleted): nothing on it can run. */
export class NodeGoneError extends ConnectionLostError {}

import type { ExecResult } from './exec-result.js';

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
      `${result.node}: '${result.argv.join(' ')}' exited ${result.exitCode}${tail ? `: ${tail}` : ''}`,
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
    super(`${node}: '${argv.join(' ')}' did not finish within ${timeoutMs}ms`, node, argv);
  }
}

/** The transport (docker exec, SSH) went away before an exit status arrived. */
export class ConnectionLostError extends NodeExecError {
  constructor(node: string, argv: readonly string[], reason: string, options?: ErrorOptions) {
    super(`${node}: connection lost running '${argv.join(' ')}': ${reason}`, node, argv, options);
  }
}

import { spawn } from 'node:child_process';
import { CommandFailedError, CommandTimeoutError } from '../../lib/nodes/exec-errors.js';
import type { ExecOptions, ExecResult } from '../../lib/nodes/exec-result.js';
import type { NodeAccess, NodeAddress } from '../../lib/nodes/node-access.js';

/**
 * The harness host as a node: runs argv with child_process (no shell). For tests of code that
 * runs commands "on a node" where the node's tools (pgbench) are on this machine.
 */
export class LocalNodeAccess implements NodeAccess {
  readonly address: NodeAddress = { kind: 'docker', container: 'localhost' };
  /** Every argv run, for tests that check what was (not) put on a command line. */
  readonly history: (readonly string[])[] = [];

  constructor(readonly name = 'local') {}

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { timeoutMs = 60_000, signal, stdin, check = true } = options;
    this.history.push([...argv]);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const [file, ...args] = argv;
      const child = spawn(file ?? '', args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(signal ? { signal } : {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      // A command that exits before reading its stdin (a timer's launcher) must not fail the exec.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      let timedOut = false;
      timer.unref();
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        timedOut = performance.now() - started >= timeoutMs;
        if (timedOut) return reject(new CommandTimeoutError(this.name, argv, timeoutMs));
        const result: ExecResult = {
          node: this.name,
          argv,
          stdout,
          stderr,
          exitCode: code ?? -1,
          durationMs: performance.now() - started,
        };
        if (check && result.exitCode !== 0) reject(new CommandFailedError(result));
        else resolve(result);
      });
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

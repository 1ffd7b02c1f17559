import { docker, DockerTimeoutError, DockerUnavailableError, type DockerRun } from '../docker/docker-cli.js';
import { CommandTimeoutError, ConnectionLostError, NodeGoneError } from './exec-errors.js';
import { execOutcome } from './exec-outcome.js';
import type { ExecOptions, ExecResult } from './exec-result.js';
import type { NodeAccess, NodeAddress } from './node-access.js';
import { isNodeDeadlineExit, NODE_DEADLINE_SLACK_MS, withNodeDeadline } from './node-deadline.js';

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

/** The container behind a node no longer exists or no longer runs: nothing can be done on it. */
export class ContainerGoneError extends NodeGoneError {}

const CONTAINER_GONE = /No such container|is not running/i;
// A paused container keeps its network namespace and rules: unreachable for now, not gone.
const CONTAINER_UNREACHABLE = /is paused|is restarting/i;

export interface DockerExecNodeOptions {
  /** Deadline of a call without its own `timeoutMs`. */
  readonly defaultTimeoutMs?: number;
  /**
   * Wrap commands in coreutils `timeout` so the deadline holds inside the container too
   * (default true; the node image must have `timeout`, as Debian and kind node images do).
   */
  readonly nodeSideDeadline?: boolean;
}

/** A node reached with `docker exec` (lab containers, kind nodes). */
export class DockerExecNode implements NodeAccess {
  readonly address: NodeAddress;
  private readonly defaultTimeoutMs: number;
  private readonly nodeSideDeadline: boolean;

  constructor(
    readonly name: string,
    readonly container: string,
    options: DockerExecNodeOptions = {},
  ) {
    this.address = { kind: 'docker', container };
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    this.nodeSideDeadline = options.nodeSideDeadline ?? true;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error(`${this.name}: exec needs a non-empty argv`);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const command = this.nodeSideDeadline ? withNodeDeadline(argv, timeoutMs) : [...argv];
    const dockerArgs = ['exec', ...(options.stdin !== undefined ? ['-i'] : []), this.container, ...command];
    const run = await this.runDocker(dockerArgs, argv, timeoutMs, options);
    if (run.signal !== null) {
      throw new ConnectionLostError(
        this.name,
        argv,
        `docker exec client ended by ${run.signal ?? 'a signal'}`,
      );
    }
    // The daemon refused the exec (exit 1, its message alone on stderr): the container is not usable.
    if (run.exitCode !== 0 && /^Error( response from daemon)?:/.test(run.stderr.trimStart())) {
      if (CONTAINER_UNREACHABLE.test(run.stderr))
        throw new ConnectionLostError(this.name, argv, firstLine(run.stderr));
      if (CONTAINER_GONE.test(run.stderr))
        throw new ContainerGoneError(this.name, argv, firstLine(run.stderr));
    }
    // 125+: docker failed, or the process was killed (137), possibly because the container died under it.
    if (run.exitCode >= 125 && !isNodeDeadlineExit(run.exitCode, run.durationMs, timeoutMs)) {
      // `docker rm -f` kills the processes before the container's state changes: look twice.
      const gone =
        (await this.whyNotRunning()) ??
        (await new Promise((r) => setTimeout(r, 500)).then(() => this.whyNotRunning()));
      if (gone) throw new ContainerGoneError(this.name, argv, gone);
    }
    return execOutcome(
      {
        node: this.name,
        argv,
        stdout: run.stdout,
        stderr: run.stderr,
        exitCode: run.exitCode,
        durationMs: run.durationMs,
      },
      {
        timeoutMs,
        nodeSideDeadline: this.nodeSideDeadline,
        ...(options.check !== undefined && { check: options.check }),
      },
    );
  }

  /** The shared docker runner, with its failures mapped onto the node errors. */
  private async runDocker(
    dockerArgs: string[],
    argv: readonly string[],
    timeoutMs: number,
    options: ExecOptions,
  ): Promise<DockerRun> {
    // The node-side `timeout` normally answers first; this catches a hung docker CLI or daemon.
    const clientDeadline = this.nodeSideDeadline ? timeoutMs + NODE_DEADLINE_SLACK_MS : timeoutMs;
    try {
      return await docker(dockerArgs, {
        timeoutMs: clientDeadline,
        ...(options.signal && { signal: options.signal }),
        ...(options.stdin !== undefined && { stdin: options.stdin }),
      });
    } catch (err) {
      if (err instanceof DockerTimeoutError) throw new CommandTimeoutError(this.name, argv, timeoutMs);
      if (err instanceof DockerUnavailableError || options.signal?.aborted) throw err;
      throw new ConnectionLostError(this.name, argv, `cannot run docker: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Nothing to release: every call is its own `docker exec`. */
  async close(): Promise<void> {}

  /** A reason when the container is missing or stopped, undefined when it runs. */
  private async whyNotRunning(): Promise<string | undefined> {
    const inspect = await docker(['inspect', '--format', '{{.State.Status}}', this.container], {
      timeoutMs: 10_000,
    }).catch(() => undefined);
    if (!inspect) return undefined;
    if (inspect.exitCode !== 0) return `container ${this.container} does not exist`;
    const status = inspect.stdout.trim();
    return status === 'running' || status === 'paused'
      ? undefined
      : `container ${this.container} is ${status}`;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

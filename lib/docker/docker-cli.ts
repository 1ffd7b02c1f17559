import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { EnvironmentError } from '../errors.js';

export interface DockerRun {
  readonly stdout: string;
  readonly stderr: string;
  /** The CLI's exit code; 128 + n when it was ended by a signal. */
  readonly exitCode: number;
  /** The signal that ended the CLI, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
}

export interface DockerOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly stdin?: string;
  /** Called with each line of combined output, for progress on long steps (builds). */
  readonly onLine?: (line: string) => void;
}

/** Thrown when the docker CLI itself cannot run or the daemon is unreachable. */
export class DockerUnavailableError extends EnvironmentError {}

/** The docker CLI did not finish within its deadline (it was killed). */
export class DockerTimeoutError extends Error {
  constructor(
    args: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(`docker ${args.slice(0, 3).join(' ')}: no answer within ${timeoutMs}ms`);
    this.name = 'DockerTimeoutError';
  }
}

const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i;

/**
 * Runs the docker CLI with an argv array and a deadline; never throws on a non-zero exit
 * (callers decide), but does throw DockerUnavailableError when there is no CLI or no daemon.
 */
export function docker(args: readonly string[], options: DockerOptions = {}): Promise<DockerRun> {
  const { timeoutMs = 60_000, signal, stdin, onLine } = options;
  const started = performance.now();
  // An already-aborted signal never fires 'abort': refuse before starting anything.
  if (signal?.aborted)
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let settled = false;
    const emitLines = (chunk: string): void => {
      if (!onLine) return;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    };
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(() => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted')));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new DockerTimeoutError(args, timeoutMs)));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      emitLines(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      emitLines(d);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          err.code === 'ENOENT'
            ? new DockerUnavailableError(
                'docker: command not found; install Docker (see README: Prerequisites)',
              )
            : err,
        ),
      );
    });
    child.on('close', (code, killedBy) => {
      if (partial.trim()) onLine?.(partial);
      const exitCode = code ?? 128 + (killedBy ? (osConstants.signals[killedBy] ?? 0) : 0);
      if (exitCode !== 0 && DAEMON_DOWN.test(stderr)) {
        finish(() =>
          reject(
            new DockerUnavailableError(
              'Docker engine is not reachable: start dockerd (see README: Prerequisites)',
            ),
          ),
        );
        return;
      }
      finish(() =>
        resolve({ stdout, stderr, exitCode, signal: killedBy, durationMs: performance.now() - started }),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** Like docker(), but a non-zero exit throws with the tail of stderr. */
export async function dockerOk(args: readonly string[], options: DockerOptions = {}): Promise<string> {
  const run = await docker(args, options);
  if (run.exitCode !== 0) {
    const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`docker ${args.slice(0, 2).join(' ')} failed (exit ${run.exitCode}): ${tail}`);
  }
  return run.stdout;
}

/** Throws DockerUnavailableError unless a Docker engine answers. */
export async function requireDocker(): Promise<void> {
  const run = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 }).catch(
    (err: unknown) => {
      if (err instanceof DockerUnavailableError) throw err;
      throw new DockerUnavailableError(`Docker engine is not answering: ${(err as Error).message}`);
    },
  );
  if (run.exitCode !== 0)
    throw new DockerUnavailableError(`Docker engine is not reachable: ${run.stderr.trim()}`);
}

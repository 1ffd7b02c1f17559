import type WebSocket from 'ws';
import { CommandTimeoutError, ConnectionLostError } from '../nodes/exec-errors.js';
import type { ExecResult } from '../nodes/exec-result.js';
import { openChannelSocket } from './channel-socket.js';
import { anyNodeCut, isNodeCut, noAnswerUntil } from './cut-nodes.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError, parseStatus, type KubeStatus } from './kube-api-error.js';

export const DEFAULT_POD_EXEC_TIMEOUT_MS = 30_000;

export interface PodRef {
  readonly namespace: string;
  readonly pod: string;
  /** Needed when the pod has several containers. */
  readonly container?: string;
}

export interface PodExecOptions {
  /** Deadline of the whole call: upgrade, command, output. Default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * A helper pod's own command, which reaches its node when a partition has cut the node off for
   * everything else (cut-nodes.ts). Any other exec to a pod on such a node gets no answer.
   */
  readonly throughCut?: boolean;
}

/** `pod/db/pg-0[/postgres]`: the `node` of results and errors. */
export const podLabel = (ref: PodRef): string =>
  `pod/${ref.namespace}/${ref.pod}${ref.container ? `/${ref.container}` : ''}`;

/** Whether the pod runs on a node the harness treats as cut off (cut-nodes.ts); false when unknown. */
async function podNodeCut(client: KubeClient, ref: PodRef, signal: AbortSignal): Promise<boolean> {
  const bound = client.with({ signal });
  const pod = await bound
    .call(`read pod ${ref.namespace}/${ref.pod}`, () =>
      bound.core.readNamespacedPod({ name: ref.pod, namespace: ref.namespace }),
    )
    .catch(() => undefined);
  return isNodeCut(pod?.spec?.nodeName);
}

/** The command could not be started in the container (not found, not executable): no exit code exists. */
export class PodExecStartError extends KubeApiError {}

const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

/**
 * The exit code in an exec Status: `Success` is 0; a non-zero exit is `Failure` with reason
 * `NonZeroExitCode` and the code in `details.causes[reason=ExitCode].message`. Any other Failure
 * (e.g. the executable does not exist) means the command never ran: undefined.
 */
export function exitCodeOf(status: KubeStatus): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return cause && Number.isInteger(code) ? code : undefined;
}

/**
 * Runs `argv` (never a shell string) in a pod's container through the API server and returns its
 * exit code and output. Typed failures, as for node commands: CommandTimeoutError (deadline; the
 * command may still run in the pod), ConnectionLostError (websocket or API server gone before an
 * exit status came), PodExecStartError (the command could not start), KubeApiError (the API
 * server refused: pod or container not found, forbidden).
 */
export async function execInPod(
  client: KubeClient,
  ref: PodRef,
  argv: readonly string[],
  options: PodExecOptions = {},
): Promise<ExecResult> {
  if (argv.length === 0) throw new Error(`${podLabel(ref)}: exec needs a non-empty argv`);
  const label = podLabel(ref);
  const timeoutMs = options.timeoutMs ?? DEFAULT_POD_EXEC_TIMEOUT_MS;
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  const query = new URLSearchParams({ stdout: 'true', stderr: 'true', stdin: 'false', tty: 'false' });
  if (ref.container) query.set('container', ref.container);
  for (const arg of argv) query.append('command', arg);
  const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/exec?${query.toString()}`;
  if (!options.throughCut && anyNodeCut() && (await podNodeCut(client, ref, signal))) {
    await noAnswerUntil(signal);
    clearTimeout(timer);
    if (deadline.signal.aborted) throw new CommandTimeoutError(label, argv, timeoutMs);
    throw new ConnectionLostError(label, argv, 'aborted by the caller');
  }
  const timedOut = (cause?: unknown): CommandTimeoutError => {
    const err = new CommandTimeoutError(label, argv, timeoutMs);
    if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause });
    return err;
  };
  try {
    let ws: WebSocket;
    try {
      ws = await openChannelSocket(client, path, {
        what: `exec in ${label}`,
        connectTimeoutMs: timeoutMs,
        signal,
      });
    } catch (err) {
      if (deadline.signal.aborted || (err instanceof KubeApiError && err.failure === 'timeout'))
        throw timedOut(err);
      if (err instanceof KubeApiError && err.failure === 'unreachable')
        throw new ConnectionLostError(label, argv, err.message, { cause: err });
      throw err;
    }
    return await new Promise<ExecResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let status: KubeStatus | undefined;
      const finish = (outcome: ExecResult | Error): void => {
        signal.removeEventListener('abort', onAbort);
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = (): void => {
        if (deadline.signal.aborted) finish(timedOut());
        else finish(new ConnectionLostError(label, argv, 'aborted by the caller'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const frame = isBinary ? data : Buffer.from(data.toString('utf8'), 'utf8');
        if (frame.length === 0) return;
        const channel = frame[0];
        const payload = frame.subarray(1);
        if (channel === STDOUT) stdout.push(payload);
        else if (channel === STDERR) stderr.push(payload);
        else if (channel === STATUS && payload.length > 0) status = parseStatus(payload.toString('utf8'));
      });
      ws.on('close', (code: number) => {
        if (!status) {
          finish(
            new ConnectionLostError(label, argv, `websocket closed (code ${code}) without an exit status`),
          );
          return;
        }
        const exitCode = exitCodeOf(status);
        if (exitCode === undefined) {
          finish(
            new PodExecStartError(
              `${label}: '${argv.join(' ')}' could not run: ${status.message ?? status.reason ?? 'Failure'}`,
              'status',
              undefined,
              status.reason,
            ),
          );
          return;
        }
        finish({
          node: label,
          argv,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          exitCode,
          durationMs: performance.now() - started,
        });
      });
      ws.on('error', (err: Error) =>
        finish(new ConnectionLostError(label, argv, err.message, { cause: err })),
      );
      ws.resume();
    });
  } finally {
    clearTimeout(timer);
  }
}

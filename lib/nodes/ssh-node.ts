import { readFile } from 'node:fs/promises';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { CommandTimeoutError, ConnectionLostError } from './exec-errors.js';
import { execOutcome } from './exec-outcome.js';
import type { ExecOptions, ExecResult } from './exec-result.js';
import { hostKeyChecker, HostKeyRejectedError } from './host-key-pinning.js';
import type { NodeAccess, NodeAddress } from './node-access.js';
import { NODE_DEADLINE_SLACK_MS, withNodeDeadline } from './node-deadline.js';
import { shellJoin } from './shell-quote.js';

export interface SshNodeOptions {
  readonly name: string;
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  /** Private key file; read at connect time, never logged or journaled. */
  readonly keyPath?: string;
  readonly knownHostsPath?: string;
  /** "SHA256:<base64>", as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint?: string;
  readonly allowUnknownHostKey?: boolean;
  /** Deadline of a call without its own `timeoutMs` (default 30 s). */
  readonly defaultTimeoutMs?: number;
  /** TCP connect + SSH handshake deadline (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** Keepalive period; a dead peer is declared after `keepaliveCountMax` unanswered ones (default 1 s × 3). */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  /** Wrap commands in coreutils `timeout` so the deadline also holds on the node (default true). */
  readonly nodeSideDeadline?: boolean;
}

interface InFlight {
  readonly client: Client;
  fail(reason: string, cause?: unknown): void;
}

/**
 * A node reached over SSH (ssh2). One connection per node, opened lazily and reused; after a loss
 * the next call reconnects. Keepalives make a partitioned peer fail calls in seconds, not hang them.
 */
export class SshNode implements NodeAccess {
  readonly name: string;
  readonly address: NodeAddress;
  private connecting: Promise<Client> | undefined;
  private current: Client | undefined;
  private readonly inFlight = new Set<InFlight>();
  private closed = false;

  constructor(private readonly options: SshNodeOptions) {
    this.name = options.name;
    const {
      host,
      port = 22,
      user,
      keyPath,
      knownHostsPath,
      hostKeyFingerprint,
      allowUnknownHostKey,
    } = options;
    this.address = {
      kind: 'ssh',
      host,
      port,
      user,
      ...(keyPath !== undefined && { keyPath }),
      ...(knownHostsPath !== undefined && { knownHostsPath }),
      ...(hostKeyFingerprint !== undefined && { hostKeyFingerprint }),
      ...(allowUnknownHostKey !== undefined && { allowUnknownHostKey }),
    };
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error(`${this.name}: exec needs a non-empty argv`);
    options.signal?.throwIfAborted();
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 30_000;
    const nodeSide = this.options.nodeSideDeadline ?? true;
    const command = shellJoin(nodeSide ? withNodeDeadline(argv, timeoutMs) : argv);
    const started = performance.now();
    const deadline = nodeSide ? timeoutMs + NODE_DEADLINE_SLACK_MS : timeoutMs;

    const client = await this.withDeadline(this.connection(argv), deadline, argv, timeoutMs, options.signal);
    // One deadline for the whole call: connecting used part of it.
    const remaining = Math.max(1, deadline - (performance.now() - started));
    const run = await this.run(client, command, argv, options, remaining, timeoutMs);
    const durationMs = performance.now() - started;
    if (run.exitCode === undefined) {
      throw new ConnectionLostError(
        this.name,
        argv,
        `command ended by signal ${run.signal ?? '?'} without exit status`,
      );
    }
    return execOutcome(
      { node: this.name, argv, stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode, durationMs },
      { timeoutMs, nodeSideDeadline: nodeSide, ...(options.check !== undefined && { check: options.check }) },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    this.connecting = undefined;
    this.current = undefined;
    const client = await pending?.catch(() => undefined);
    client?.end();
  }

  private run(
    client: Client,
    command: string,
    argv: readonly string[],
    options: ExecOptions,
    deadline: number,
    timeoutMs: number,
  ): Promise<{ stdout: string; stderr: string; exitCode?: number; signal?: string }> {
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let settled = false;
      const entry: InFlight = {
        client,
        fail: (reason, cause) =>
          settle(() => reject(new ConnectionLostError(this.name, argv, reason, { cause }))),
      };
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.inFlight.delete(entry);
        fn();
      };
      const onAbort = (): void => {
        channel?.close();
        const reason: unknown = options.signal?.reason;
        settle(() => reject(reason instanceof Error ? reason : new Error('aborted')));
      };
      const timer = setTimeout(() => {
        channel?.close();
        settle(() => reject(new CommandTimeoutError(this.name, argv, timeoutMs)));
      }, deadline);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.inFlight.add(entry);

      client.exec(command, (err, stream) => {
        if (err) return entry.fail(`cannot open a channel: ${err.message}`, err);
        if (settled) return void stream.close();
        channel = stream;
        let stdout = '';
        let stderr = '';
        let exitCode: number | undefined;
        let signal: string | undefined;
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => (stdout += d));
        stream.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        stream.on('exit', (code: number | null, sig?: string) => {
          if (typeof code === 'number') exitCode = code;
          if (sig) signal = sig;
        });
        stream.on('close', () => {
          if (exitCode === undefined && signal === undefined) {
            return entry.fail('channel closed without an exit status');
          }
          settle(() =>
            resolve({
              stdout,
              stderr,
              ...(exitCode !== undefined && { exitCode }),
              ...(signal && { signal }),
            }),
          );
        });
        stream.on('error', (e: Error) => entry.fail(`channel error: ${e.message}`, e));
        stream.end(options.stdin ?? '');
      });
    });
  }

  /** The shared connection, opened on first use and again after a loss. */
  private connection(argv: readonly string[]): Promise<Client> {
    if (this.closed)
      return Promise.reject(new ConnectionLostError(this.name, argv, 'node access was closed'));
    this.connecting ??= this.connect().catch((err: unknown) => {
      this.connecting = undefined;
      if (err instanceof HostKeyRejectedError) throw err;
      throw new ConnectionLostError(this.name, argv, `cannot connect: ${(err as Error).message}`, {
        cause: err,
      });
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const o = this.options;
    const port = o.port ?? 22;
    const check = hostKeyChecker(o.host, port, o);
    const privateKey = o.keyPath ? await readFile(o.keyPath) : undefined;
    let rejection: string | undefined;
    const config: ConnectConfig = {
      host: o.host,
      port,
      username: o.user,
      ...(privateKey && { privateKey }),
      readyTimeout: o.readyTimeoutMs ?? 10_000,
      keepaliveInterval: o.keepaliveIntervalMs ?? 1_000,
      keepaliveCountMax: o.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        rejection = check(key);
        return rejection === undefined;
      },
    };
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      // Always listening: ssh2 emits late errors (keepalive timeouts, resets) that would crash the process.
      client.on('error', (err: Error) => {
        if (!ready) {
          reject(rejection ? new HostKeyRejectedError(`${this.name}: ${rejection}`) : err);
          return;
        }
        this.lost(client, err.message, err);
      });
      client.on('close', () => {
        if (!ready) reject(new Error('connection closed during handshake'));
        else this.lost(client, 'connection closed');
      });
      client.on('ready', () => {
        ready = true;
        this.current = client;
        resolve(client);
      });
      client.connect(config);
    });
  }

  /** The connection died: fail every command on it and forget it so the next call reconnects. */
  private lost(client: Client, reason: string, cause?: unknown): void {
    if (this.current === client) {
      this.current = undefined;
      this.connecting = undefined;
    }
    for (const entry of [...this.inFlight]) if (entry.client === client) entry.fail(reason, cause);
    client.destroy();
  }

  private async withDeadline<T>(
    promise: Promise<T>,
    ms: number,
    argv: readonly string[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CommandTimeoutError(this.name, argv, timeoutMs)), ms);
          onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}

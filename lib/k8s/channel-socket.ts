import type { RequestOptions } from 'node:https';
import WebSocket from 'ws';
import type { KubeClient } from './kube-client.js';
import { describeKubeError, statusError } from './kube-api-error.js';

/**
 * Kubernetes' channel protocol over a websocket (exec, port-forward): every binary frame starts
 * with one byte naming its channel. v4 is what a 1.20 API server speaks; it sends exec's exit
 * status as a Status object on channel 3. (v5 adds half-close, only from Kubernetes 1.29.)
 */
const PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'];

export interface ChannelSocketOptions {
  /** What is being done, first in error messages. */
  readonly what: string;
  /** Deadline for the upgrade (TCP + TLS + the API server reaching the kubelet). */
  readonly connectTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Opens a websocket to `path` on the API server with the kubeconfig's credentials. We open it
 * ourselves rather than through client-node's WebSocketHandler, which has no handshake deadline,
 * gives no handle to the socket before it opens (so a hung upgrade cannot be ended) and writes
 * close frames to the process's own stdout/stderr by default.
 * Failures are KubeApiErrors: a refused upgrade carries the API server's Status message.
 * The socket is returned **paused**: attach the `message`/`close` listeners, then `resume()`.
 */
export async function openChannelSocket(
  client: KubeClient,
  path: string,
  options: ChannelSocketOptions,
): Promise<WebSocket> {
  const url = new URL(client.server.replace(/\/$/, '') + path);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const tls: RequestOptions = {};
  await client.kc.applyToHTTPSOptions(tls);
  return new Promise<WebSocket>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(
        describeKubeError(Object.assign(new Error('aborted'), { name: 'AbortError' }), {
          what: options.what,
          timeoutMs: options.connectTimeoutMs,
          signal: options.signal,
        }),
      );
      return;
    }
    const ws = new WebSocket(url, PROTOCOLS, {
      agent: tls.agent,
      headers: tls.headers as Record<string, string> | undefined,
      ...(tls.auth ? { auth: tls.auth } : {}),
      handshakeTimeout: options.connectTimeoutMs,
    });
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // Terminating a socket still connecting makes ws emit one more 'error' on the next tick
      // ("closed before the connection was established"): with no listener left it would be an
      // uncaught exception that kills the run (measured in CI: every scenario after it failed).
      ws.on('error', () => undefined);
      ws.terminate();
      reject(
        describeKubeError(err, {
          what: options.what,
          timeoutMs: options.connectTimeoutMs,
          signal: options.signal,
        }),
      );
    };
    const onAbort = (): void => fail(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        fail(statusError(options.what, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
      );
      res.on('error', fail);
    });
    ws.once('error', (err: Error) => {
      // ws reports its own handshake deadline as a plain Error: make it read as one.
      if (/Opening handshake has timed out/.test(err.message))
        fail(Object.assign(new Error(err.message), { name: 'TimeoutError' }));
      else fail(err);
    });
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      // Frames that came with the upgrade response are emitted on the next tick, before the
      // caller's `await` resumes (promise continuations run after process.nextTick): without this
      // pause they would be dropped (measured: the port-forward's port header, or exec's status).
      ws.pause();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(ws);
    });
  });
}

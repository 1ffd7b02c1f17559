import net, { type AddressInfo, type Socket } from 'node:net';
import type WebSocket from 'ws';
import { openChannelSocket } from './channel-socket.js';
import type { KubeClient } from './kube-client.js';
import { isNodeCut, noAnswerUntil, onNodeCut } from './cut-nodes.js';
import { findServingPod, type PodSelector } from './ready-pod.js';
import { deadlineSignal } from '../time/deadline-signal.js';

/*
 * How the harness reaches a port of a StatefulSet's pod: a port-forward through the API server,
 * re-resolved for every new connection. Chosen over node IP + NodePort because it
 * - needs nothing but the API access the harness has anyway (users' clusters seldom let the CI
 *   runner reach node ports, and the SUT's manifests need no extra Service);
 * - follows the pod: each new connection asks the API server which pod is Running+Ready now, so
 *   after a force delete and a reschedule onto another node new connections reach the new pod,
 *   while a NodePort on a fixed node fails exactly when that node is the one cut off;
 * - fails fast and visibly: a connection to a pod on a cut-off node ends within `connectTimeoutMs`
 *   (the API server cannot reach that kubelet), and an established one within `keepaliveMs` x 2
 *   (websocket pings travel to the kubelet and back).
 * The cost is one extra hop through the API server: fine for a probe and a write ledger.
 */

export interface PortForwardOptions {
  readonly namespace: string;
  /** The pod to reach; resolved again for every new local connection. */
  readonly target: PodSelector;
  /** The pod's port. */
  readonly port: number;
  /** Deadline to resolve the pod and open the forward for one connection (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Websocket ping interval; no pong for two intervals ends the connection (default 5 s; 0 = off). */
  readonly keepaliveMs?: number;
  /** Called once per local connection, when it is forwarded or has failed. */
  readonly onConnection?: (event: ForwardedConnection) => void;
}

export interface ForwardedConnection {
  /** The pod the connection went to (when resolved). */
  readonly pod?: string;
  readonly node?: string;
  /** Undefined when forwarded; the reason otherwise. */
  readonly error?: string;
  /** Local accept → forward open, or → failure. */
  readonly ms: number;
}

export interface PortForward {
  readonly host: '127.0.0.1';
  /** The local port (chosen by the kernel). */
  readonly port: number;
  /** Stops listening and destroys every forwarded connection. Idempotent. */
  close(): Promise<void>;
}

const DATA = 0;
const ERROR = 1;

/**
 * Listens on 127.0.0.1 (port 0) and forwards every accepted connection to `port` of the pod
 * `target` resolves to at that moment (one websocket per connection; client-node's PortForward
 * forwards a single port per call the same way). A connection that cannot be forwarded is
 * destroyed, never left hanging; either side closing closes the other.
 */
export async function forwardPort(client: KubeClient, options: PortForwardOptions): Promise<PortForward> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const keepaliveMs = options.keepaliveMs ?? 5_000;
  const sockets = new Set<Socket>();
  const closing = new AbortController();

  const forward = async (socket: Socket): Promise<void> => {
    const accepted = performance.now();
    sockets.add(socket);
    socket.pause();
    socket.on('error', () => undefined);
    const connect = deadlineSignal(connectTimeoutMs, closing.signal);
    const abortOnClose = new AbortController();
    socket.once('close', () => {
      sockets.delete(socket);
      abortOnClose.abort();
    });
    let pod: string | undefined;
    let node: string | undefined;
    const report = (error?: string): void =>
      options.onConnection?.({ pod, node, error, ms: performance.now() - accepted });
    let ws: WebSocket;
    try {
      const found = await Promise.race([
        findServingPod(
          client.with({ requestTimeoutMs: connectTimeoutMs, signal: connect }),
          options.namespace,
          options.target,
        ),
        new Promise<never>((_, reject) =>
          connect.addEventListener(
            'abort',
            () => reject(new Error(`no pod resolved within ${connectTimeoutMs}ms`)),
            {
              once: true,
            },
          ),
        ),
      ]);
      pod = found.metadata?.name ?? '';
      node = found.spec?.nodeName;
      // A node cut off by a partition that kept its kubelet's port (cut-nodes.ts): no answer, as under a real cut.
      if (isNodeCut(node)) {
        await noAnswerUntil(connect);
        throw new Error(
          `no answer from ${pod} on ${node ?? '?'} within ${connectTimeoutMs}ms: the node is cut off`,
        );
      }
      ws = await openChannelSocket(
        client,
        `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${options.port}`,
        {
          what: `port-forward to ${options.namespace}/${pod}:${options.port}`,
          connectTimeoutMs: Math.max(1, connectTimeoutMs - (performance.now() - accepted)),
          signal: AbortSignal.any([closing.signal, abortOnClose.signal]),
        },
      );
    } catch (err) {
      socket.destroy();
      report((err as Error).message);
      return;
    }
    if (socket.destroyed) {
      ws.terminate();
      return;
    }
    report();
    bridge(socket, ws, keepaliveMs, node);
  };

  const server = net.createServer((socket) => void forward(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/**
 * Couples a local socket and a port-forward websocket until either ends. When the pod's node is cut
 * off while the route still works (cut-nodes.ts), the connection goes silent — nothing passes, no
 * pong counts — and ends as the keepalive finds out, as it would under a real cut.
 */
function bridge(socket: Socket, ws: WebSocket, keepaliveMs: number, node: string | undefined): void {
  // The first frame on each channel is the port number (2 bytes), not data.
  const portHeaderPending = new Set([DATA, ERROR]);
  let errorText = '';
  let awaitingPong = 0;
  let silent = false;
  const goSilent = (): void => {
    silent = true;
    // Without a keepalive nothing would find out: end as a connect deadline would.
    if (keepaliveMs <= 0) end(new Error('the node is cut off'));
  };
  const unsubscribe = onNodeCut((cut) => {
    if (cut === node) goSilent();
  });
  const keepalive =
    keepaliveMs > 0
      ? setInterval(() => {
          if (awaitingPong >= 2) {
            end(new Error(`no websocket pong for ${(2 * keepaliveMs) / 1000}s`));
            return;
          }
          awaitingPong++;
          ws.ping();
        }, keepaliveMs)
      : undefined;
  const end = (err?: Error): void => {
    unsubscribe();
    clearInterval(keepalive);
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
    if (err) socket.destroy(err);
    else socket.end();
  };
  ws.on('pong', () => {
    if (!silent) awaitingPong = 0;
  });
  ws.on('message', (data: Buffer) => {
    if (data.length === 0 || silent) return;
    const channel = data[0] ?? -1;
    let payload = data.subarray(1);
    if (portHeaderPending.delete(channel)) payload = payload.subarray(2);
    if (payload.length === 0) return;
    if (channel === DATA) {
      if (!socket.write(payload)) {
        ws.pause();
        socket.once('drain', () => ws.resume());
      }
    } else if (channel === ERROR) {
      errorText += payload.toString('utf8');
      end(new Error(`port-forward error: ${errorText.trim()}`));
    }
  });
  ws.on('close', () => end(errorText ? new Error(errorText) : undefined));
  ws.on('error', (err: Error) => end(err));
  socket.on('data', (chunk: Buffer) => {
    if (silent) return;
    ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
    if (ws.bufferedAmount > 1 << 20) {
      socket.pause();
      const resume = setInterval(() => {
        if (ws.bufferedAmount < 1 << 18 || ws.readyState !== ws.OPEN) {
          clearInterval(resume);
          socket.resume();
        }
      }, 10);
    }
  });
  socket.on('close', () => end());
  if (isNodeCut(node)) goSilent();
  socket.resume();
  ws.resume();
}

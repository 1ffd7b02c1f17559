import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

/** Answers one request; `n` counts the requests of the same kind (list or watch) so far, from 0. */
export type Responder = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** Takes a websocket upgrade (exec, port-forward); recorded like any request. */
export type Upgrader = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * A stand-in API server on 127.0.0.1 replaying recorded responses: it tells list from watch
 * requests (`watch=1`) and records every request. Plain HTTP: the kubeconfig it writes sets
 * insecure-skip-tls-verify, which client-node requires for an http:// server.
 */
export class RecordedKubeApi {
  readonly requests: SeenRequest[] = [];
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private counts = { list: 0, watch: 0 };
  port = 0;
  kubeconfig = '';
  private dir = '';

  constructor(
    private readonly onList: Responder,
    private readonly onWatch: Responder = (_req, res) => res.writeHead(200).flushHeaders(),
    private readonly onUpgrade?: Upgrader,
  ) {
    this.server = this.makeServer();
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams });
      if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true')
        this.onWatch(req, res, this.counts.watch++);
      else this.onList(req, res, this.counts.list++);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push({ method: 'UPGRADE', path: url.pathname, query: url.searchParams });
      if (this.onUpgrade) this.onUpgrade(req, socket, head);
      else socket.destroy();
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  watches(): SeenRequest[] {
    return this.requests.filter((r) => r.query.has('watch'));
  }

  lists(): SeenRequest[] {
    return this.requests.filter((r) => !r.query.has('watch'));
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    if (!this.kubeconfig) {
      this.dir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-api-'));
      this.kubeconfig = join(this.dir, 'kubeconfig');
      await writeFile(this.kubeconfig, recordedKubeconfig(`http://127.0.0.1:${this.port}`));
    }
    return this;
  }

  /** The server goes away: every open connection is cut, new ones are refused. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.makeServer();
  }

  /** Comes back on the same port (like an API server restarted by its kubelet). */
  async restart(): Promise<void> {
    await this.start(this.port);
  }

  async dispose(): Promise<void> {
    if (this.server.listening) await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A kubeconfig with one context `recorded` (and an `other`) pointing at `server`. */
export function recordedKubeconfig(server: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'recorded', cluster: { server, 'insecure-skip-tls-verify': true } },
      { name: 'other', cluster: { server, 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'tester', user: { token: 'not-a-secret' } }],
    contexts: [
      { name: 'recorded', context: { cluster: 'recorded', user: 'tester' } },
      { name: 'other', context: { cluster: 'other', user: 'tester' } },
    ],
    'current-context': 'recorded',
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

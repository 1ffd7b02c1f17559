import type { V1Pod } from '@kubernetes/client-node';
import { WebSocketServer, type WebSocket } from 'ws';
import { KubeClient } from '../../lib/k8s/kube-client.js';
import { RecordedKubeApi, sendJson } from './recorded-kube-api.js';

/**
 * A stand-in API server for the PX readers that exec pxctl in the PX pods: pod lists by namespace
 * and equality label selector, and exec over a websocket in Kubernetes' v4 channel protocol
 * (stdout on channel 1, stderr on 2, the exit Status on 3: what a 1.20 API server sends). The
 * answers are scripted per call, so a test puts PX's log lines on either stream.
 */

export interface ExecCall {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string | undefined;
  readonly argv: readonly string[];
}

/** What the command prints and how it exits; `hang`: never answers (the caller's deadline ends it). */
export type ExecAnswer = { stdout?: string; stderr?: string; exitCode?: number } | 'hang';

export interface PxExecApi {
  readonly api: RecordedKubeApi;
  readonly client: KubeClient;
  /** Every exec asked, in order. */
  readonly execs: ExecCall[];
  /** `namespace labelSelector` of every pod list asked, in order. */
  readonly podLists: () => string[];
  dispose(): Promise<void>;
}

const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

function frame(channel: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.from(text, 'utf8')]);
}

function exitStatus(code: number): unknown {
  return code === 0
    ? { metadata: {}, status: 'Success' }
    : {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: exit status ${code}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
      };
}

function matches(pod: V1Pod, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return pod.metadata?.labels?.[key ?? ''] === value;
  });
}

/** A PX pod as the DaemonSet or the Operator runs it: `name=portworx`, on `node`, Ready when Running. */
export function pxPod(
  name: string,
  namespace: string,
  node: string,
  hostIP: string,
  phase = 'Running',
): V1Pod {
  const running = phase === 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { name: 'portworx' } },
    spec: { nodeName: node, containers: [{ name: 'portworx', image: 'portworx/oci-monitor' }] },
    status: {
      phase,
      hostIP,
      conditions: [{ type: 'Ready', status: running ? 'True' : 'False' }],
    },
  };
}

/** `routes`: other GETs answered by exact path (a claim list, a volume), 404 NotFound otherwise. */
export async function pxExecApi(
  pods: () => readonly V1Pod[],
  exec: (call: ExecCall) => ExecAnswer,
  routes: Readonly<Record<string, unknown>> = {},
): Promise<PxExecApi> {
  const execs: ExecCall[] = [];
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  const sockets = new Set<WebSocket>();
  const api = await new RecordedKubeApi(
    (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const list = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
      if (!list && url.pathname in routes) return sendJson(res, 200, routes[url.pathname]);
      if (!list)
        return sendJson(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
      const selector = url.searchParams.get('labelSelector');
      sendJson(res, 200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: '1' },
        items: pods().filter((p) => p.metadata?.namespace === list[1] && matches(p, selector)),
      });
    },
    undefined,
    (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      if (!m) return socket.destroy();
      const call: ExecCall = {
        namespace: decodeURIComponent(m[1]!),
        pod: decodeURIComponent(m[2]!),
        container: url.searchParams.get('container') ?? undefined,
        argv: url.searchParams.getAll('command'),
      };
      execs.push(call);
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('close', () => sockets.delete(ws));
        const answer = exec(call);
        if (answer === 'hang') return;
        if (answer.stdout) ws.send(frame(STDOUT, answer.stdout));
        if (answer.stderr) ws.send(frame(STDERR, answer.stderr));
        ws.send(frame(STATUS, JSON.stringify(exitStatus(answer.exitCode ?? 0))));
        ws.close(1000);
      });
    },
  ).start();
  const client = KubeClient.load({ kubeconfig: api.kubeconfig, requestTimeoutMs: 5_000 });
  return {
    api,
    client,
    execs,
    podLists: () =>
      api.requests
        .filter((r) => r.method === 'GET' && /\/pods$/.test(r.path))
        .map((r) => `${r.path.split('/')[4]} ${r.query.get('labelSelector') ?? ''}`),
    dispose: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await api.dispose();
    },
  };
}

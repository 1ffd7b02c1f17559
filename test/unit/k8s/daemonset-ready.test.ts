import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { DaemonSetNotReady, waitDaemonSetReady } from '../../../lib/k8s/daemonset-ready.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';

const NS = 'kube-system';
const NAME = 'pxchaos-px-loop-devices';
const LABELS = { 'app.kubernetes.io/name': NAME };

const daemonSet = (desired: number, observedGeneration = 1): V1DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: NAME, namespace: NS, generation: 1 },
  spec: { selector: { matchLabels: LABELS }, template: {} },
  status: {
    desiredNumberScheduled: desired,
    currentNumberScheduled: desired,
    numberMisscheduled: 0,
    numberReady: 0,
    observedGeneration,
  },
});

const readyPod = (node: string): V1Pod => ({
  metadata: { name: `loop-${node}`, namespace: NS, labels: LABELS },
  spec: { nodeName: node, containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

/** A pod whose init container failed `restarts + 1` times and waits in back-off. */
const failingPod = (node: string, restarts: number): V1Pod => ({
  metadata: { name: `loop-${node}`, namespace: NS, labels: LABELS },
  spec: { nodeName: node, containers: [] },
  status: {
    phase: 'Pending',
    initContainerStatuses: [
      {
        name: 'attach-loop-device',
        image: 'busybox',
        imageID: '',
        ready: false,
        restartCount: restarts,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1 } },
      },
    ],
  },
});

/**
 * A stand-in API server serving the DaemonSet, its pods (one answer per poll, the last repeated)
 * and the failed init container's log (empty for the current instance, the failure for the previous).
 */
async function api(polls: { ds: V1DaemonSet; pods: V1Pod[] }[]) {
  let poll = -1;
  const server = await new RecordedKubeApi((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === `/apis/apps/v1/namespaces/${NS}/daemonsets/${NAME}`) {
      poll = Math.min(poll + 1, polls.length - 1);
      return sendJson(res, 200, polls[poll]!.ds);
    }
    if (url.pathname === `/api/v1/namespaces/${NS}/pods`) {
      expect(url.searchParams.get('labelSelector')).to.equal(`app.kubernetes.io/name=${NAME}`);
      return sendJson(res, 200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: {},
        items: polls[poll]!.pods,
      });
    }
    if (url.pathname.endsWith('/log')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return res.end(
        url.searchParams.get('previous') === 'true'
          ? 'pxchaos-px-loop: creating /var/lib/pxchaos/px-w2.img\npxchaos-px-loop: losetup not found on this node\n'
          : '',
      );
    }
    sendJson(res, 404, { kind: 'Status', code: 404, reason: 'NotFound', message: url.pathname });
  }).start();
  return { server, client: KubeClient.load({ kubeconfig: server.kubeconfig, requestTimeoutMs: 5_000 }) };
}

describe('waiting for a DaemonSet to be Ready on every node', () => {
  it('waits past the controller not having counted the nodes yet, one line per poll', async () => {
    const { server, client } = await api([
      { ds: daemonSet(0, 0), pods: [] },
      { ds: daemonSet(2), pods: [readyPod('w1'), failingPod('w2', 0)] },
      { ds: daemonSet(2), pods: [readyPod('w1'), readyPod('w2')] },
    ]);
    const lines: string[] = [];
    try {
      const ready = await waitDaemonSetReady(client, daemonSet(2), {
        timeoutMs: 10_000,
        pollMs: 10,
        failAfterRestarts: 3,
        progress: (l) => lines.push(l),
      });
      expect(ready.nodes).to.deep.equal(['w1', 'w2']);
    } finally {
      await server.stop();
    }
    expect(lines.map((l) => l.replace(/after [0-9a-z.]+?(?=;|$)/, 'after T'))).to.deep.equal([
      `DaemonSet ${NS}/${NAME}: Ready on 0/0 node(s) after T`,
      `DaemonSet ${NS}/${NAME}: Ready on 1/2 node(s) after T; w2: init container attach-loop-device exited 1 (0 restart(s)): pxchaos-px-loop: losetup not found on this node`,
      `DaemonSet ${NS}/${NAME}: Ready on 2/2 node(s) after T`,
    ]);
  });

  it('fails at once, naming the node and its last log line, when an init container failed three times', async () => {
    const { server, client } = await api([{ ds: daemonSet(2), pods: [readyPod('w1'), failingPod('w2', 2)] }]);
    try {
      const err = await waitDaemonSetReady(client, daemonSet(2), {
        timeoutMs: 60_000,
        pollMs: 10,
        failAfterRestarts: 3,
        progress: () => undefined,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DaemonSetNotReady);
      expect((err as Error).message).to.equal(
        `DaemonSet ${NS}/${NAME}: node w2: init container attach-loop-device exited 1 (2 restart(s)): pxchaos-px-loop: losetup not found on this node`,
      );
    } finally {
      await server.stop();
    }
  });

  it('gives up at its deadline with the last poll in the message', async () => {
    const { server, client } = await api([{ ds: daemonSet(1), pods: [] }]);
    try {
      const err = await waitDaemonSetReady(client, daemonSet(1), {
        timeoutMs: 100,
        pollMs: 20,
        failAfterRestarts: 3,
        progress: () => undefined,
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(
        new RegExp(`^DaemonSet ${NS}/${NAME} not Ready within .*: .*Ready on 0/1 node`),
      );
    } finally {
      await server.stop();
    }
  });
});

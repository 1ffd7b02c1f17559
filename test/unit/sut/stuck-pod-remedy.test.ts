import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { StuckPodRemedy } from '../../../lib/sut/postgres-on-k8s/stuck-pod-remedy.js';
import type { SutEvent } from '../../../lib/sut/sut.js';
import { PX_DOWN_EVENTS, PX_UP_EVENTS } from '../../../lib/sut/portworx/portworx-detected-setup.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';
import { waitFor } from '../../support/wait-for.js';

const NS = 'pxchaos-run-t1';
const POD_PATH = `/api/v1/namespaces/${NS}/pods/postgres-0`;
const AFTER_MS = 300;

/** The core/v1 discovery document client-node's generic object API asks for before a read or delete. */
const CORE_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'pods', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'delete'] }],
};

const pod = (uid: string, nodeName: string): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'postgres-0', namespace: NS, uid },
  spec: { nodeName, containers: [{ name: 'postgres', image: 'x' }] },
});

/**
 * An API server holding postgres-0 on `node`: a DELETE replaces it (the StatefulSet's new pod, another uid,
 * not scheduled yet), as Kubernetes does.
 */
async function apiWithPodOn(
  node: string,
): Promise<{ api: RecordedKubeApi; deletes: () => URLSearchParams[] }> {
  let uid = 'old';
  const api = await new RecordedKubeApi((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v1') return sendJson(res, 200, CORE_RESOURCES);
    if (url.pathname !== POD_PATH)
      return sendJson(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (req.method === 'DELETE') {
      const deleted = pod(uid, node);
      uid = 'new';
      return sendJson(res, 200, deleted);
    }
    return sendJson(res, 200, pod(uid, uid === 'old' ? node : ''));
  }).start();
  const deletes = (): URLSearchParams[] =>
    api.requests.filter((r) => r.method === 'DELETE' && r.path === POD_PATH).map((r) => r.query);
  return { api, deletes };
}

describe('StuckPodRemedy (stand-in API server)', () => {
  let api: RecordedKubeApi | undefined;
  const stop = new AbortController();

  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });
  after(() => stop.abort());

  const remedyOn = (events: SutEvent[], signal: AbortSignal = stop.signal): StuckPodRemedy =>
    new StuckPodRemedy({
      client: KubeClient.load({ kubeconfig: api?.kubeconfig ?? '' }),
      namespace: NS,
      pod: 'postgres-0',
      afterMs: AFTER_MS,
      onEvent: (e) => events.push(e),
      signal,
    });

  it('force-deletes the pod (grace period 0) once its node has been NotReady for the set time, and says so', async () => {
    const server = await apiWithPodOn('w2');
    api = server.api;
    const events: SutEvent[] = [];
    const remedy = remedyOn(events);
    const notReadyAt = performance.now();
    remedy.observe({ event: 'node-not-ready', node: 'w2' });
    await waitFor('pod-force-deleted', () => events.some((e) => e.event === 'pod-force-deleted'), 10_000);
    expect(performance.now() - notReadyAt).to.be.at.least(AFTER_MS);
    const [query] = server.deletes();
    expect(server.deletes()).to.have.length(1);
    expect(query?.get('gracePeriodSeconds')).to.equal('0');
    expect(events[0]).to.deep.include({ event: 'pod-force-deleted', node: 'w2' });
    expect(events[0]?.detail).to.include('NotReady');
  });

  it('leaves the pod alone when its node is Ready again in time, or when the NotReady node is another', async () => {
    const server = await apiWithPodOn('w2');
    api = server.api;
    const events: SutEvent[] = [];
    const remedy = remedyOn(events);
    remedy.observe({ event: 'node-not-ready', node: 'w2' });
    remedy.observe({ event: 'node-ready', node: 'w2' });
    remedy.observe({ event: 'node-not-ready', node: 'w3' });
    // Past the delay: w3's timer fired and found the pod elsewhere; w2's was cancelled.
    await waitFor('the pod read for w3', () => server.api.requests.some((r) => r.method === 'GET'), 10_000);
    await new Promise((r) => setTimeout(r, AFTER_MS));
    expect(server.deletes()).to.deep.equal([]);
    expect(events).to.deep.equal([]);
  });

  it('does nothing once its signal is aborted (the scenario stopped watching)', async () => {
    const server = await apiWithPodOn('w2');
    api = server.api;
    const events: SutEvent[] = [];
    const done = new AbortController();
    const remedy = remedyOn(events, done.signal);
    remedy.observe({ event: 'node-not-ready', node: 'w2' });
    done.abort();
    await new Promise((r) => setTimeout(r, AFTER_MS * 2));
    expect(server.api.requests).to.deep.equal([]);
    expect(events).to.deep.equal([]);
  });

  describe('storage down on a Ready node (Portworx without Stork: PX seen offline)', () => {
    const storageRemedyOn = (events: SutEvent[]): StuckPodRemedy =>
      new StuckPodRemedy({
        client: KubeClient.load({ kubeconfig: api?.kubeconfig ?? '' }),
        namespace: NS,
        pod: 'postgres-0',
        storageDown: {
          downEvents: PX_DOWN_EVENTS,
          upEvents: PX_UP_EVENTS,
          afterMs: AFTER_MS,
          why: 'the documented remedy',
        },
        onEvent: (e) => events.push(e),
        signal: stop.signal,
      });

    it("deletes the pod the set time after the poller's px-node-offline, and says why", async () => {
      const server = await apiWithPodOn('w2');
      api = server.api;
      const events: SutEvent[] = [];
      const remedy = storageRemedyOn(events);
      const downAt = performance.now();
      remedy.observe({ event: 'px-node-offline', node: 'w2' });
      remedy.observe({ event: 'node-not-ready', node: 'w2' }); // not this rule's: no second delete
      await waitFor('pod-force-deleted', () => events.some((e) => e.event === 'pod-force-deleted'), 10_000);
      expect(performance.now() - downAt).to.be.at.least(AFTER_MS);
      expect(server.deletes()).to.have.length(1);
      expect(server.deletes()[0]?.get('gracePeriodSeconds')).to.equal('0');
      expect(events[0]?.detail).to.match(
        /^by the harness: storage down on w2 for .*; the documented remedy$/,
      );
    });

    it('leaves the pod alone when PX is back in time', async () => {
      const server = await apiWithPodOn('w2');
      api = server.api;
      const events: SutEvent[] = [];
      const remedy = storageRemedyOn(events);
      remedy.observe({ event: 'px-node-offline', node: 'w2' });
      remedy.observe({ event: 'px-node-online', node: 'w2' });
      await new Promise((r) => setTimeout(r, AFTER_MS * 2));
      expect(server.api.requests).to.deep.equal([]);
      expect(events).to.deep.equal([]);
    });
  });
});

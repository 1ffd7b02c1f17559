import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { SutEvent } from '../../../lib/sut/sut.js';
import { PxStatePoller } from '../../../lib/sut/portworx/px-state-poller.js';
import { readPxdTimeout } from '../../../lib/sut/portworx/pxd-timeout.js';
import { pxFixture } from '../../support/px-fixtures.js';
import { pxExecApi, pxPod, type ExecCall, type PxExecApi } from '../../support/px-exec-api.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const HEALTHY_3 = pxFixture('pxctl-status-healthy-3nodes-px2.2.0.txt');
const NOT_RUNNING = 'PX is not running on this host\n';
/** The recorded table's nodes, as Kubernetes nodes k1..k3 (host IP = PX management IP). */
const NODES = [
  { k8s: 'k1', ip: '70.0.79.28', id: 'abb4723e-efa3-432d-ad27-f929bc658862' },
  { k8s: 'k2', ip: '70.0.78.240', id: '9ddf713b-0dbc-4e7b-bd6e-2ae648891072' },
  { k8s: 'k3', ip: '70.0.79.32', id: '0e466c6a-fef0-4752-b133-9bf257e9973a' },
];
const PODS: V1Pod[] = NODES.map((n) => pxPod(`portworx-${n.k8s}`, 'portworx', n.k8s, n.ip));

/** The recorded `pxctl -j volume inspect` (pxdocs 2018), attached on k2 with replicas on k2 and k3. */
function volumeOnK2(): string {
  const [vol] = JSON.parse(pxFixture('pxctl-j-volume-inspect-shared-repl2-detached-pxdocs2018.json')) as [
    Record<string, unknown>,
  ];
  return JSON.stringify(
    [
      {
        ...vol,
        state: 'attached',
        attached_on: NODES[1]!.id,
        replica_sets: [{ nodes: [NODES[1]!.id, NODES[2]!.id] }],
      },
    ],
    null,
    1,
  );
}

const NS = 'pxchaos-run-t1';
const ROUTES = {
  [`/api/v1/namespaces/${NS}/persistentvolumeclaims`]: {
    kind: 'PersistentVolumeClaimList',
    apiVersion: 'v1',
    metadata: {},
    items: [
      { metadata: { name: 'data-postgres-0' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } },
    ],
  },
  '/api/v1/persistentvolumes/pvc-1': {
    kind: 'PersistentVolume',
    apiVersion: 'v1',
    metadata: { name: 'pvc-1' },
    spec: { csi: { driver: 'pxd.portworx.com', volumeHandle: '486256711004992211' } },
  },
};

describe('pxd_timeout is per node (px-fuse: one value per kernel, reset to 600 s on every PX restart)', () => {
  let px: PxExecApi | undefined;
  /** What each node's PX pod answers, by what is asked. */
  let status: Record<string, string> = {};
  let pxd: Record<string, string> = {};
  const answer = (call: ExecCall) => {
    const node = call.pod.replace('portworx-', '');
    if (call.argv.join(' ').includes('/sys/bus/pxd/devices')) return { stdout: pxd[node] ?? '' };
    if (call.argv.includes('volume')) return { stdout: volumeOnK2() };
    const out = status[node] ?? HEALTHY_3;
    return { stdout: out, exitCode: out === NOT_RUNNING ? 1 : 0 };
  };
  afterEach(async () => {
    await px?.dispose();
    px = undefined;
  });

  it('before the run: every node read, the lowest used, each node said', async () => {
    pxd = { k1: '600\n', k2: '600\n', k3: '45\n' };
    px = await pxExecApi(() => PODS, answer);
    const r = await readPxdTimeout(px.client, configSchema.parse({}).portworx.pxPods);
    expect(r.seconds).to.equal(45);
    expect(r.said).to.match(
      /^pxd_timeout 45 s, the lowest of every node's \(600 s on k1, k2; 45 s on k3; the volume is not attached yet/,
    );
    expect(r.said).to.include('3 PX pods (name=portworx) in portworx');
    expect(new Set(px.execs.map((e) => e.pod))).to.deep.equal(new Set(PODS.map((p) => p.metadata!.name)));
  });

  it("during the run: read on the attachment's node at the start, and again after PX restarted there", async () => {
    pxd = { k1: '600\n', k2: '120\n', k3: '45\n' };
    status = {};
    px = await pxExecApi(() => PODS, answer, ROUTES);
    const events: SutEvent[] = [];
    const stop = new AbortController();
    const poller = new PxStatePoller({
      client: px.client,
      pxPods: configSchema.parse({}).portworx.pxPods,
      volumeName: () => Promise.resolve('486256711004992211'),
      onEvent: (e) => events.push(e),
      signal: stop.signal,
    });
    const pxdEvents = () => events.filter((e) => e.event === 'px-pxd-timeout');
    await poller.poll();
    await poller.poll();
    expect(events.find((e) => e.event === 'px-volume')).to.include({ node: 'k2' });
    expect(pxdEvents()).to.deep.equal([
      {
        event: 'px-pxd-timeout',
        node: 'k2',
        detail: "pxd_timeout 120 s on k2, the node holding the volume's attachment (read at the run's start)",
      },
    ]);
    // PX restarted on k2: down for a round, then back with the module's default.
    status = { k2: NOT_RUNNING };
    await poller.poll();
    status = {};
    pxd = { ...pxd, k2: '600\n' };
    await poller.poll();
    await poller.poll();
    expect(pxdEvents().map((e) => e.detail)).to.deep.equal([
      "pxd_timeout 120 s on k2, the node holding the volume's attachment (read at the run's start)",
      "pxd_timeout 600 s on k2, the node holding the volume's attachment (read after PX came back on k2: a PX restart resets it to 600 s)",
    ]);
    // Only k2's PX pod was asked for it during the run.
    const pxdReads = px.execs.filter((e) => e.argv.join(' ').includes('/sys/bus/pxd'));
    expect(new Set(pxdReads.map((e) => e.pod))).to.deep.equal(new Set(['portworx-k2']));
    stop.abort();
  });
});

import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { SutEvent } from '../../../lib/sut/sut.js';
import { findPxPods } from '../../../lib/sut/portworx/find-px-pods.js';
import { watchPxState } from '../../../lib/sut/portworx/watch-px-state.js';
import { pxFixture } from '../../support/px-fixtures.js';
import { pxExecApi, pxPod, type PxExecApi } from '../../support/px-exec-api.js';
import { waitFor } from '../../support/wait-for.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const HEALTHY_3 = pxFixture('pxctl-status-healthy-3nodes-px2.2.0.txt');
/** The recorded table's IPs, as the PX pods' host IPs (PX runs with hostNetwork). */
const IPS = ['70.0.79.28', '70.0.78.240', '70.0.79.32'];
const podsIn = (namespace: string): V1Pod[] =>
  IPS.map((ip, i) => pxPod(`portworx-${namespace}-${i}`, namespace, `k${i + 1}`, ip));

describe('PX pods: where they are looked for (stand-in API server)', () => {
  let px: PxExecApi | undefined;
  let pods: V1Pod[] = [];
  afterEach(async () => {
    await px?.dispose();
    px = undefined;
  });
  const start = async (): Promise<PxExecApi> => {
    px = await pxExecApi(
      () => pods,
      () => ({ stdout: HEALTHY_3 }),
    );
    return px;
  };
  const defaults = configSchema.parse({}).portworx;

  it('the config names no namespace by default: kube-system first, then portworx', () => {
    expect(defaults.pxPods).to.deep.equal({
      namespace: 'kube-system',
      namespaceGiven: false,
      labelSelector: 'name=portworx',
      container: 'portworx',
    });
    const given = configSchema.parse({ portworx: { pxPods: { namespace: 'px-custom' } } }).portworx.pxPods;
    expect(given).to.include({ namespace: 'px-custom', namespaceGiven: true });
  });

  it("an Operator install's pods in portworx are found, and where is said", async () => {
    pods = podsIn('portworx');
    const { client, podLists } = await start();
    const found = await findPxPods(client, defaults.pxPods);
    expect(found.namespace).to.equal('portworx');
    expect(found.pods).to.have.length(3);
    expect(found.said).to.equal('3 PX pods (name=portworx) in portworx (looked in kube-system, portworx)');
    expect(podLists().sort()).to.deep.equal(['kube-system name=portworx', 'portworx name=portworx']);
  });

  it('the state poller reads them there with the default config, saying where once', async () => {
    pods = podsIn('portworx');
    const { client, execs } = await start();
    const events: SutEvent[] = [];
    const stop = new AbortController();
    const watch = watchPxState(defaults, {
      client,
      namespace: 'pxchaos-run-x',
      onEvent: (e) => events.push(e),
      signal: stop.signal,
    });
    await waitFor('PX node events', () => events.some((e) => e.event.startsWith('px-node-')), 10_000);
    stop.abort();
    await watch.stopped();
    expect(events.filter((e) => e.event === 'px-state-unreadable')).to.deep.equal([]);
    expect(events.filter((e) => e.event === 'px-pods')).to.deep.equal([
      { event: 'px-pods', detail: '3 PX pods (name=portworx) in portworx (looked in kube-system, portworx)' },
    ]);
    expect(events.filter((e) => e.event === 'px-node-online').map((e) => e.node)).to.deep.equal([
      'k1',
      'k2',
      'k3',
    ]);
    expect(new Set(execs.map((e) => e.namespace))).to.deep.equal(new Set(['portworx']));
  });

  it('a namespace in the config is the only one looked in', async () => {
    pods = [...podsIn('portworx'), ...podsIn('px-custom')];
    const { client, podLists } = await start();
    const found = await findPxPods(
      client,
      configSchema.parse({ portworx: { pxPods: { namespace: 'px-custom' } } }).portworx.pxPods,
    );
    expect(found.namespace).to.equal('px-custom');
    expect(found.said).to.equal('3 PX pods (name=portworx) in px-custom (looked there only)');
    expect(podLists()).to.deep.equal(['px-custom name=portworx']);
  });

  it('PX pods in both namespaces: refused, naming both and the setting that decides', async () => {
    pods = [...podsIn('kube-system'), ...podsIn('portworx').slice(0, 1)];
    const { client } = await start();
    const err = await findPxPods(client, defaults.pxPods).catch((e: unknown) => e);
    expect((err as Error).message).to.equal(
      'PX pods (name=portworx) in kube-system (3) and portworx (1): set portworx.pxPods.namespace to the one in use',
    );
  });

  it('none anywhere: said with every place looked in', async () => {
    pods = [];
    const { client } = await start();
    const found = await findPxPods(client, defaults.pxPods);
    expect(found.pods).to.deep.equal([]);
    expect(found.said).to.equal(
      'no PX pods (name=portworx) in kube-system or portworx (looked in kube-system, portworx)',
    );
  });
});

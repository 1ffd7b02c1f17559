import type {
  CoreV1Event,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import type { WatchEvent } from '../../../lib/k8s/watch-objects.js';
import {
  claimTransitions,
  kubeEventTransitions,
  nodeTransitions,
  nodeView,
  volumeTransitions,
} from '../../../lib/sut/postgres-on-k8s/platform-transitions.js';

const ev = <T>(object: T, type: WatchEvent<T>['type'] = 'MODIFIED', fromRelist = false): WatchEvent<T> => ({
  type,
  object,
  fromRelist,
});

// Shapes as the raw watch JSON delivers them (timestamps are strings there).
const node = (ready: string, reason: string): V1Node =>
  ({
    metadata: { name: 'w1', uid: 'n1' },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: ready, reason, lastTransitionTime: '2026-12-01T04:00:10Z' },
      ],
    },
  }) as unknown as V1Node;

describe('Kubernetes platform transitions (timeline events beside the pod)', () => {
  it('node-not-ready then node-ready when the Ready condition changes, with Kubernetes’ transition time', () => {
    const ready = nodeView(node('True', 'KubeletReady'));
    const down = nodeTransitions(ready, ev(node('Unknown', 'NodeStatusUnknown')));
    expect(down).to.deep.equal([
      {
        event: 'node-not-ready',
        node: 'w1',
        detail: 'Ready=Unknown (NodeStatusUnknown)',
        at: '2026-12-01T04:00:10.000Z',
      },
    ]);
    expect(
      nodeTransitions(nodeView(node('Unknown', 'x')), ev(node('True', 'KubeletReady')))[0]?.event,
    ).to.equal('node-ready');
  });

  it('a node seen for the first time, or unchanged (a heartbeat), is not an event', () => {
    expect(nodeTransitions(undefined, ev(node('True', 'KubeletReady'), 'ADDED'))).to.deep.equal([]);
    expect(nodeTransitions(nodeView(node('True', 'a')), ev(node('True', 'b')))).to.deep.equal([]);
  });

  it('claim and volume phases: Bound with its volume; a volume of another namespace is ignored', () => {
    const claim = {
      metadata: { name: 'data-postgres-0', uid: 'c1' },
      spec: { volumeName: 'gluster-pv-1' },
      status: { phase: 'Bound' },
    } as V1PersistentVolumeClaim;
    expect(claimTransitions('Pending', ev(claim))).to.deep.equal([
      { event: 'claim-bound', detail: 'data-postgres-0 → gluster-pv-1' },
    ]);
    expect(claimTransitions('Bound', ev(claim))).to.deep.equal([]);
    const pv = (namespace: string, phase: string): V1PersistentVolume => ({
      metadata: { name: 'gluster-pv-1', uid: 'v1' },
      spec: { claimRef: { namespace, name: 'data-postgres-0' } },
      status: { phase },
    });
    expect(volumeTransitions('Available', ev(pv('run-a', 'Bound')), 'run-a')).to.deep.equal([
      { event: 'volume-bound', detail: 'gluster-pv-1 for data-postgres-0' },
    ]);
    expect(volumeTransitions('Available', ev(pv('other', 'Bound')), 'run-a')).to.deep.equal([]);
  });

  it('Events: new ones and count increases, on the node they concern, with lastTimestamp; a re-list says so', () => {
    const nodeEvent = (count: number): CoreV1Event =>
      ({
        metadata: { name: 'w1.1', uid: 'e1' },
        involvedObject: { kind: 'Node', name: 'w1' },
        reason: 'NodeNotReady',
        message: 'Node w1 status is now: NodeNotReady',
        type: 'Normal',
        count,
        lastTimestamp: '2026-12-01T04:00:41Z',
      }) as unknown as CoreV1Event;
    expect(kubeEventTransitions(undefined, ev(nodeEvent(1), 'ADDED'))).to.deep.equal([
      {
        event: 'k8s:NodeNotReady',
        node: 'w1',
        detail: 'node/w1: Node w1 status is now: NodeNotReady',
        at: '2026-12-01T04:00:41.000Z',
      },
    ]);
    expect(kubeEventTransitions(1, ev(nodeEvent(1)))).to.deep.equal([]);
    const again = kubeEventTransitions(1, ev(nodeEvent(2), 'MODIFIED', true));
    expect(again[0]?.detail).to.equal(
      'node/w1 (x2): Node w1 status is now: NodeNotReady (seen on a re-list)',
    );

    const podEvent = {
      metadata: { name: 'postgres-0.2', uid: 'e2' },
      involvedObject: { kind: 'Pod', name: 'postgres-0' },
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "gluster-pv-1"',
      type: 'Warning',
      source: { component: 'kubelet', host: 'w2' },
      eventTime: null,
      firstTimestamp: '2026-12-01T04:01:00Z',
    } as unknown as CoreV1Event;
    expect(kubeEventTransitions(undefined, ev(podEvent, 'ADDED'))).to.deep.equal([
      {
        event: 'k8s:FailedMount',
        node: 'w2',
        detail: 'Warning pod/postgres-0: MountVolume.SetUp failed for volume "gluster-pv-1"',
        at: '2026-12-01T04:01:00.000Z',
      },
    ]);
  });
});

import type { CoreV1Event, V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { inspect } from 'node:util';
import { describePodState, tellingEvents } from '../../../lib/sut/postgres-on-k8s/pod-state.js';
import { podTransitions, podView } from '../../../lib/sut/postgres-on-k8s/pod-transitions.js';
import { PostgresCredentials } from '../../../lib/sut/postgres-on-k8s/postgres-credentials.js';
import {
  TARGET_IMAGE_PLACEHOLDER,
  postgresK8sSettings,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const pod = (patch: {
  uid?: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  deleting?: boolean;
  init?: V1ContainerStatus[];
  containers?: V1ContainerStatus[];
}): V1Pod => ({
  metadata: {
    name: 'postgres-0',
    uid: patch.uid ?? 'aaaaaaaa-1111',
    ...(patch.deleting && { deletionTimestamp: new Date() }),
  },
  spec: { containers: [], ...(patch.node && { nodeName: patch.node }) },
  status: {
    phase: patch.phase ?? 'Pending',
    conditions: [{ type: 'Ready', status: patch.ready ? 'True' : 'False' }],
    ...(patch.init && { initContainerStatuses: patch.init }),
    ...(patch.containers && { containerStatuses: patch.containers }),
  },
});

const status = (name: string, state: V1ContainerState, restartCount = 0): V1ContainerStatus => ({
  name,
  image: 'pg',
  imageID: '',
  ready: false,
  restartCount,
  state,
});

describe('postgres-on-k8s runtime pieces', () => {
  describe('describePodState', () => {
    it('says what the pod waits for, like kubectl get pod', () => {
      expect(describePodState(undefined)).to.equal('pod not created yet');
      expect(
        describePodState(pod({}), [{ metadata: { name: 'data-postgres-0' }, status: { phase: 'Pending' } }]),
      ).to.equal('postgres-0 Pending, not scheduled; claim data-postgres-0 Pending');
      // What the scheduler said when no node fits (Kubernetes 1.20's wording, from the kube lab).
      const unschedulable = pod({});
      unschedulable.status = {
        ...unschedulable.status,
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/4 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: },\n 3 node(s) were unschedulable.',
          },
        ],
      };
      expect(describePodState(unschedulable)).to.equal(
        'postgres-0 Pending, not scheduled (Unschedulable: 0/4 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, 3 node(s) were unschedulable.)',
      );
      expect(
        describePodState(
          pod({
            node: 'w1',
            init: [status('clear-lost-found', { running: {} })],
            containers: [status('postgres', { waiting: { reason: 'PodInitializing' } })],
          }),
        ),
      ).to.equal('postgres-0 Init:0/1 on w1');
      expect(
        describePodState(
          pod({
            node: 'w2',
            phase: 'Running',
            init: [status('clear-lost-found', { terminated: { exitCode: 0 } })],
            containers: [status('postgres', { waiting: { reason: 'CrashLoopBackOff' } }, 3)],
          }),
        ),
      ).to.equal('postgres-0 Running, not Ready, CrashLoopBackOff, 3 restarts on w2');
      expect(describePodState(pod({ node: 'w2', phase: 'Running', ready: true }))).to.equal(
        'postgres-0 Running and Ready on w2',
      );
      expect(describePodState(pod({ node: 'w2', phase: 'Running', ready: true, deleting: true }))).to.equal(
        'postgres-0 Terminating on w2',
      );
    });
  });

  describe('tellingEvents', () => {
    const event = (kind: string, name: string, reason: string, type: string, at: number): CoreV1Event => ({
      metadata: {},
      involvedObject: { kind, name },
      reason,
      type,
      message: `${reason}  message\n`,
      lastTimestamp: new Date(at),
      count: at,
    });
    it('keeps warnings and telling reasons about the pod, its claim and StatefulSet, oldest first', () => {
      const lines = tellingEvents(
        [
          event('Pod', 'postgres-0', 'FailedMount', 'Warning', 3),
          event('Pod', 'postgres-0', 'Pulled', 'Normal', 1),
          event('PersistentVolumeClaim', 'data-postgres-0', 'ProvisioningFailed', 'Warning', 2),
          event('Pod', 'other-0', 'FailedScheduling', 'Warning', 1),
          event('Pod', 'postgres-0', 'FailedScheduling', 'Normal', 1),
        ],
        new Set(['Pod/postgres-0', 'PersistentVolumeClaim/data-postgres-0']),
      );
      expect(lines).to.deep.equal([
        'FailedScheduling pod/postgres-0: FailedScheduling message',
        'ProvisioningFailed persistentvolumeclaim/data-postgres-0 (x2): ProvisioningFailed message',
        'FailedMount pod/postgres-0 (x3): FailedMount message',
      ]);
    });
  });

  describe('podTransitions', () => {
    it('turns a pod watch into created / scheduled / ready / terminating / deleted events with their node', () => {
      const created = pod({ uid: 'u1' });
      const scheduled = pod({ uid: 'u1', node: 'w1' });
      const ready = pod({ uid: 'u1', node: 'w1', phase: 'Running', ready: true });
      const deleting = pod({ uid: 'u1', node: 'w1', phase: 'Running', ready: true, deleting: true });
      const seq: [V1Pod | undefined, 'ADDED' | 'MODIFIED' | 'DELETED', V1Pod][] = [
        [undefined, 'ADDED', created],
        [created, 'MODIFIED', scheduled],
        [scheduled, 'MODIFIED', ready],
        [ready, 'MODIFIED', deleting],
        [deleting, 'DELETED', deleting],
      ];
      const events = seq.flatMap(([before, type, object]) =>
        podTransitions(before && podView(before), { type, object, fromRelist: false }),
      );
      expect(events.map((e) => `${e.event}@${e.node ?? '-'}`)).to.deep.equal([
        'pod-created@-',
        'pod-scheduled@w1',
        'pod-ready@w1',
        'pod-not-ready@w1',
        'pod-terminating@w1',
        'pod-deleted@w1',
      ]);
    });
    it('says when a change was only seen on a re-list', () => {
      const [e] = podTransitions(undefined, {
        type: 'DELETED',
        object: pod({ node: 'w3' }),
        fromRelist: true,
      });
      expect(e).to.deep.equal({
        event: 'pod-deleted',
        node: 'w3',
        detail: 'postgres-0 uid aaaaaaaa (seen on a re-list)',
      });
    });
  });

  describe('PostgresCredentials', () => {
    it('gives the password to whoever asks, but never prints or serialises it', () => {
      const c = new PostgresCredentials('s3cret-generated-value');
      expect(c.password).to.equal('s3cret-generated-value');
      expect(inspect({ c })).to.not.include('s3cret');
      expect(JSON.stringify({ c })).to.not.include('s3cret');
      expect(`${String(Object.keys(c))}`).to.not.include('password');
      expect(() => new PostgresCredentials('')).to.throw(/empty/);
    });
  });

  describe('postgresK8sSettings with the kube lab image', () => {
    const kube = configSchema.parse({}).kube;
    it('puts the built image in place of the placeholder for gluster only', () => {
      expect(postgresK8sSettings(kube, 'gluster').image).to.equal(TARGET_IMAGE_PLACEHOLDER);
      expect(postgresK8sSettings(kube, 'gluster', 'pxchaos/postgres:abc').image).to.equal(
        'pxchaos/postgres:abc',
      );
      expect(postgresK8sSettings(kube, 'portworx', 'pxchaos/postgres:abc').image).to.equal('postgres:15');
      const own = configSchema.parse({ kube: { image: 'mine:1' } }).kube;
      expect(postgresK8sSettings(own, 'gluster', 'pxchaos/postgres:abc').image).to.equal('mine:1');
    });
  });
});

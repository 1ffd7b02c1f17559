/**
 * The Portworx driver's Kubernetes interactions on the kube lab (Kubernetes 1.20, kubeadm; the
 * shared lab, never taken down here).
 *
 * Real: the API server, the kubelets, exec through the API server into a pod, the SUT's event
 * watch (PostgresOnK8sSut.watch) and its storage-state hook with the real PX state poller, Event
 * creation and delivery, the node label set by a node command with the node's own kubelet
 * credentials (`kubectl --kubeconfig /etc/kubernetes/kubelet.conf`, Node authorizer and
 * NodeRestriction), the fault lifecycle (journal in a temp dir, node-side auto-revert timer, heal).
 * Stand-ins: Portworx itself, which cannot run here. The "PX pod" is a pod of the kube lab's own
 * Postgres image (nothing can be pulled) labelled name=portworx in a test namespace, whose
 * `/opt/pwx/bin/pxctl` is a script printing a recorded `pxctl status` (../shared/fixtures/portworx);
 * its host IP does not match the recording's, so only what PX says of its own node is mapped. Stork
 * is a recorded StorageDriverOffline Event created through the API as Stork would create it. For the
 * label fault, PX's reaction to the label is not there: its verify reads the label back instead of
 * `pxctl status`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from '../../lib/faults/fault.js';
import { commandPlan } from '../../lib/faults/command-plan.js';
import { FaultJournal } from '../../lib/faults/journal.js';
import { applyObjects } from '../../lib/k8s/apply-objects.js';
import { deleteAndWaitGone } from '../../lib/k8s/delete-objects.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import { execInPod } from '../../lib/k8s/pod-exec.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import type { NodeAccess } from '../../lib/nodes/node-access.js';
import type { PostgresCredentials } from '../../lib/sut/postgres-on-k8s/postgres-credentials.js';
import { PostgresOnK8sSut } from '../../lib/sut/postgres-on-k8s/postgres-on-k8s-sut.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../lib/sut/postgres-on-k8s/run-namespace.js';
import { KUBELET_KUBECONFIG, portworxAgentCommands } from '../../lib/sut/portworx/portworx-agent-stop.js';
import { watchPxState } from '../../lib/sut/portworx/watch-px-state.js';
import type { SutEvent } from '../../lib/sut/sut.js';
import { pxFixture } from '../support/px-fixtures.js';
import { requireDocker } from '../support/require-docker.js';
import { sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';
import { configSchema } from '../../lib/pxchaos-config.js';

const NAME = 'pxchaos-pxstate-it';
const log = (line: string): void => console.log(`      ${line}`);
const HEALTHY = pxFixture('pxctl-status-healthy-3nodes-px2.2.0.txt');
const NOT_RUNNING = 'PX is not running on this host\n';
const STORK_LOG = pxFixture('stork-log-deleting-pod-px-offline-stork-pr1834-2024.txt');

const PXCTL_STAND_IN = `#!/bin/sh
case "$1" in
  status) cat /tmp/px/status ;;
  *) echo "stand-in pxctl: $*" >&2; exit 2 ;;
esac
`;

const namespace: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
};

describe('Portworx driver on the kube lab (real API server and kubelets; PX and Stork stand-ins)', function () {
  this.timeout(600_000);
  let up: KubeLabUp;
  let client: KubeClient | undefined;
  let workers: string[] = [];

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    workers = up.layout.workers.map((w) => w.name);
    await applyObjects(client, [namespace]);
  });

  after(async () => {
    if (!client) return;
    await deleteAndWaitGone(client, namespace, { timeoutMs: 180_000 }).catch((err: unknown) =>
      log(`cleanup: ${(err as Error).message}`),
    );
  });

  describe('the PX state poller and the Stork event on the SUT watch', () => {
    const pxPod = 'px-stand-in';
    let node = '';

    before(async () => {
      node = workers[1] ?? workers[0]!;
      await applyObjects(client!, [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'px-fixtures', namespace: NAME },
          data: { pxctl: PXCTL_STAND_IN, healthy: HEALTHY },
        } as KubernetesObject,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: pxPod, namespace: NAME, labels: { name: 'portworx' } },
          spec: {
            nodeName: node,
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'portworx',
                image: up.images.postgres,
                imagePullPolicy: 'Never',
                securityContext: { runAsUser: 0 },
                command: [
                  'sh',
                  '-c',
                  'mkdir -p /opt/pwx/bin /tmp/px && cp /fixtures/pxctl /opt/pwx/bin/pxctl && chmod 755 /opt/pwx/bin/pxctl && cp /fixtures/healthy /tmp/px/status && exec sleep 100000',
                ],
                volumeMounts: [{ name: 'fixtures', mountPath: '/fixtures' }],
              },
            ],
            volumes: [{ name: 'fixtures', configMap: { name: 'px-fixtures' } }],
          },
        } as KubernetesObject,
      ]);
      await waitFor(
        'the stand-in PX pod Running',
        async () =>
          (await client!.core.readNamespacedPod({ name: pxPod, namespace: NAME })).status?.phase ===
          'Running',
        120_000,
        1_000,
      );
    });

    const setStatus = (text: string): Promise<unknown> =>
      execInPod(client!, { namespace: NAME, pod: pxPod, container: 'portworx' }, [
        'sh',
        '-c',
        'printf %s "$1" > /tmp/px/status',
        'set-status',
        text,
      ]);

    it('records PX state changes by exec in the PX pod, the unreadable once, and the recorded Stork event with its node', async () => {
      const sut = new PostgresOnK8sSut({
        name: 'portworx',
        client: client!,
        namespace: NAME,
        credentials: {} as PostgresCredentials,
        nodes: workers.map((name) => ({ name }) as NodeAccess),
        agentCommands: (n) => portworxAgentCommands('systemctl', n),
        driveCommands: () => ({ hang: ['true'], error: ['true'], restore: ['true'], status: ['true'] }),
        expectations: {},
        watchStorage: (context) =>
          watchPxState(configSchema.parse({ portworx: { pxPods: { namespace: NAME } } }).portworx, context),
      });
      const events: SutEvent[] = [];
      const stop = new AbortController();
      const startedAt = performance.now();
      sut.watch((e) => events.push(e), stop.signal);
      try {
        const px = (): SutEvent[] => events.filter((e) => e.event.startsWith('px-') && e.event !== 'px-pods');
        await waitFor('px-node-online', () => px().some((e) => e.event === 'px-node-online'), 60_000, 200);
        log(`first PX state after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
        expect(px()[0]).to.deep.equal({ event: 'px-node-online', node, detail: 'PX is operational' });
        // Where the PX pods were found, once (the namespace is configured: looked there only).
        expect(events.filter((e) => e.event === 'px-pods')).to.deep.equal([
          { event: 'px-pods', detail: `1 PX pod (name=portworx) in ${NAME} (looked there only)` },
        ]);

        await setStatus(NOT_RUNNING);
        const stoppedAt = performance.now();
        await waitFor('px-node-offline', () => px().some((e) => e.event === 'px-node-offline'), 60_000, 200);
        log(`px-node-offline ${((performance.now() - stoppedAt) / 1000).toFixed(1)} s after pxctl said so`);
        expect(px().find((e) => e.event === 'px-node-offline')).to.deep.equal({
          event: 'px-node-offline',
          node,
          detail: 'PX is operational → PX is not running on this host',
        });

        // Cut output: one note, and the node's state unknown (never a guess; no peer to tell it).
        const before = px().length;
        await setStatus(HEALTHY.slice(0, HEALTHY.indexOf('Node ID:')));
        await waitFor(
          'px-state-unreadable',
          () => px().some((e) => e.event === 'px-state-unreadable'),
          60_000,
          200,
        );
        await new Promise((r) => setTimeout(r, 12_000)); // two more rounds: rate-limited, still no state event
        const after = px().slice(before);
        expect(after.map((e) => e.event)).to.deep.equal(['px-node-unknown', 'px-state-unreadable']);
        expect(after[0]!.detail).to.equal(
          'PX is not running on this host → not known: its own pxctl status not read; no peer lists it',
        );
        expect(after[1]!.detail).to.match(/^could not read PX state: pxctl status .* has no Node ID line/);

        // Stork's event as Stork creates it (recorded message, node renamed to a lab node).
        const message = /msg="(Deleting Pod from Node \S+ due to volume driver status: [^"]+)"/
          .exec(STORK_LOG)![1]!
          .replace(/from Node \S+/, `from Node ${node}`);
        const now = new Date();
        await client!.core.createNamespacedEvent({
          namespace: NAME,
          body: {
            metadata: { name: 'stork-stand-in', namespace: NAME },
            involvedObject: { kind: 'Pod', name: 'postgres-0', namespace: NAME, apiVersion: 'v1' },
            reason: 'StorageDriverOffline',
            message,
            type: 'Warning',
            source: { component: 'stork' },
            count: 1,
            firstTimestamp: now,
            lastTimestamp: now,
          },
        });
        await waitFor(
          'k8s:StorageDriverOffline',
          () => events.some((e) => e.event === 'k8s:StorageDriverOffline'),
          60_000,
          200,
        );
        const stork = events.find((e) => e.event === 'k8s:StorageDriverOffline')!;
        expect(stork.node).to.equal(node);
        expect(stork.detail).to.equal(`Warning pod/postgres-0: ${message}`);
      } finally {
        stop.abort();
        await sut.close();
      }
    });
  });

  describe('the px/service label fault on a real node', () => {
    let node: DockerExecNode;
    let journal: FaultJournal;

    const label = async (): Promise<string | undefined> =>
      (await client!.core.readNode({ name: node.name })).metadata?.labels?.['px/service'];

    before(() => {
      const name = workers.at(-1)!;
      node = new DockerExecNode(name, name);
      journal = new FaultJournal(mkdtempSync(path.join(tmpdir(), 'pxchaos-label-journal-')));
    });

    after(async () => {
      // Leave the node as found: no px/service label.
      await node
        .exec(['kubectl', '--kubeconfig', KUBELET_KUBECONFIG, 'label', 'node', node.name, 'px/service-'], {
          check: false,
        })
        .catch(() => undefined);
    });

    /** PX is not here to act on the label: its stand-in status reads the label back. */
    const plan = (maxDurationMs: number) => {
      const a = portworxAgentCommands('label', node.name);
      const status = [
        'sh',
        '-c',
        '[ "$(kubectl --kubeconfig "$2" get node "$1" -o jsonpath="{.metadata.labels.px/service}")" = start ]',
        'px-label-status',
        node.name,
        KUBELET_KUBECONFIG,
      ];
      return commandPlan(
        'agent-restart-within-grace',
        node,
        { inject: a.kill, revert: a.start, status, component: 'agent' },
        maxDurationMs,
      );
    };

    it('inject sets px/service=stop (journaled, verified), heal sets start (verified, journal closed)', async () => {
      const fault = await inject(plan(120_000), { journal, healOnSignals: false });
      expect(await label()).to.equal('stop');
      const open = await journal.openEntries();
      expect(open.map((e) => e.revert)).to.deep.equal([portworxAgentCommands('label', node.name).start]);
      await fault.heal();
      expect(await label()).to.equal('start');
      expect(await journal.openEntries()).to.deep.equal([]);
    });

    it('the node-side auto-revert timer sets px/service=start on its own', async () => {
      const fault = await inject(plan(5_000), { journal, healOnSignals: false });
      expect(await label()).to.equal('stop');
      const at = performance.now();
      await waitFor('the timer set start', async () => (await label()) === 'start', 60_000, 500);
      log(
        `px/service=start by the node-side timer ${((performance.now() - at) / 1000).toFixed(1)} s after inject`,
      );
      await fault.heal();
      expect(await journal.openEntries()).to.deep.equal([]);
    });
  });
});

import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { uninstallInstalledPortworx } from '../../../lib/sut/portworx/px-install-kube.js';
import { markInstalled } from '../../../lib/sut/postgres-on-k8s/installed-by-marker.js';
import { pxInstallObjects } from '../../../lib/sut/portworx/px-install-objects.js';
import { uninstallPortworx, type PxUninstallOps } from '../../../lib/sut/portworx/px-uninstall.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';
import { configSchema } from '../../../lib/pxchaos-config.js';
import type { PortworxSettings } from '../../../lib/sut/portworx/portworx-config.js';

/*
 * Facts from libopenstorage/operator @ 303cc373 the Operator's uninstall rests on:
 * - the CRD: spec.deleteStrategy.type is Uninstall or UninstallAndWipe; "There is no default
 *   delete strategy. When no delete strategy only objects managed by the StorageCluster controller
 *   and owned by the StorageCluster object are deleted" (PX keeps running, unmanaged);
 * - pkg/controller/storagecluster/storagecluster.go: while the finalizer
 *   operator.libopenstorage.org/delete is on, status.phase is Uninstalling and a condition
 *   `type: Delete` reports the wipe; the finalizer is removed once it is Completed;
 * - drivers/storage/portworx/portworx.go DeleteStorage: the message "Wipe operation still in
 *   progress: Completed [%v] In Progress [%v] Total [%v]" while the px-node-wiper DaemonSet runs.
 */
const DEFAULTS = configSchema.parse({}).portworx;
const SETTINGS: PortworxSettings = { ...DEFAULTS, install: { ...DEFAULTS.install, enabled: true } };
const [STORAGE_CLUSTER] = pxInstallObjects(SETTINGS, ['w1', 'w2', 'w3']).objects;

/** The StorageCluster as the API server has it once the Operator took it over, and while it uninstalls. */
const live = (phase: string, wipe?: string): KubernetesObject =>
  ({
    ...structuredClone(STORAGE_CLUSTER!),
    metadata: {
      ...structuredClone(STORAGE_CLUSTER!.metadata),
      uid: '0f9c-sc',
      finalizers: ['operator.libopenstorage.org/delete'],
    },
    status: {
      phase,
      ...(wipe && {
        conditions: [{ source: 'Portworx', type: 'Delete', status: 'InProgress', message: wipe }],
      }),
    },
  }) as KubernetesObject;

const RUNNING = live('Running');
const WIPING = [
  live('Uninstalling', 'Started node wiper daemonset'),
  live('Uninstalling', 'Wipe operation still in progress: Completed [1] In Progress [2] Total [3]'),
];

/** Ops that record every call; the StorageCluster reads as `states` in turn once its delete was requested. */
function operatorCluster(states: (KubernetesObject | undefined)[], others: KubernetesObject[] = []) {
  const calls: string[] = [];
  let deleted = false;
  let polls = 0;
  const ops: PxUninstallOps = {
    read: (o) => {
      if (o.kind !== 'StorageCluster') return Promise.resolve(others.find((x) => x.kind === o.kind));
      if (!deleted) return Promise.resolve(RUNNING);
      calls.push('read StorageCluster');
      return Promise.resolve(states[Math.min(polls++, states.length - 1)]);
    },
    setDeleteStrategy: (o, type) => {
      calls.push(`deleteStrategy ${type} on ${o.kind}`);
      return Promise.resolve();
    },
    requestDelete: (o) => {
      calls.push(`request delete ${o.kind}`);
      deleted = true;
      return Promise.resolve();
    },
    delete: (o) => {
      calls.push(`delete ${o.kind}`);
      return Promise.resolve();
    },
    labelNodes: (value) => {
      calls.push(`label px/enabled=${value ?? '-'}`);
      return Promise.resolve([]);
    },
    pxPods: () => {
      calls.push('list pods');
      return Promise.resolve([]);
    },
    onNode: (node, argv) => {
      calls.push(`on ${node}`);
      return Promise.resolve({ node, argv, stdout: '', stderr: '', exitCode: 0, durationMs: 1 });
    },
  };
  return { calls, ops };
}

describe('Portworx uninstall of an Operator install (the Operator’s deleteStrategy)', () => {
  it('sets UninstallAndWipe, deletes the StorageCluster and waits until it is gone, with progress; no px/enabled label, no node command', async () => {
    const { calls, ops } = operatorCluster([...WIPING, undefined]);
    const lines: string[] = [];
    const outcome = await uninstallPortworx([STORAGE_CLUSTER!], ops, {
      goneTimeoutMs: 60_000,
      pollMs: 1,
      progress: (l) => lines.push(l),
    });
    expect(outcome).to.deep.equal({
      done: true,
      how: "the Operator's deleteStrategy UninstallAndWipe on StorageCluster kube-system/pxchaos",
    });
    expect(calls).to.deep.equal([
      'deleteStrategy UninstallAndWipe on StorageCluster',
      'request delete StorageCluster',
      'read StorageCluster',
      'read StorageCluster',
      'read StorageCluster',
    ]);
    expect(lines[0]).to.equal(
      'StorageCluster kube-system/pxchaos: spec.deleteStrategy.type set to UninstallAndWipe',
    );
    expect(lines[1]).to.equal(
      'deleted StorageCluster kube-system/pxchaos: the Operator now uninstalls Portworx and wipes its drives',
    );
    expect(lines[2]).to.match(
      /^waiting for the Operator to remove StorageCluster kube-system\/pxchaos \(\S+\): phase Uninstalling; Delete InProgress: Started node wiper daemonset; finalizers operator\.libopenstorage\.org\/delete$/,
    );
    expect(lines[3]).to.include(
      'Delete InProgress: Wipe operation still in progress: Completed [1] In Progress [2] Total [3]',
    );
    expect(lines[4]).to.match(
      /^StorageCluster kube-system\/pxchaos gone after \S+: Portworx uninstalled by the Operator$/,
    );
  });

  it('stops at its deadline naming the phase, the Delete condition and the finalizer; deletes nothing else', async () => {
    const operatorSa = markInstalled({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'portworx-operator', namespace: 'kube-system' },
    });
    const { calls, ops } = operatorCluster([WIPING[1]!], [operatorSa]);
    const err = await uninstallPortworx([operatorSa, STORAGE_CLUSTER!], ops, {
      goneTimeoutMs: 20,
      pollMs: 5,
      progress: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(
      /^StorageCluster kube-system\/pxchaos still there \S+ after its delete \(phase Uninstalling; Delete InProgress: Wipe operation still in progress: Completed \[1\] In Progress \[2\] Total \[3\]; finalizers operator\.libopenstorage\.org\/delete\): is the Portworx Operator running\?$/,
    );
    expect(calls.filter((c) => c.startsWith('delete '))).to.deep.equal([]);
  });

  it('a spec file with the Operator: the StorageCluster goes first (the Operator must still run), then the rest in reverse', async () => {
    const others = [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'portworx-operator', namespace: 'kube-system' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'portworx-operator', namespace: 'kube-system' },
      },
    ].map((o) => markInstalled(o));
    const { calls, ops } = operatorCluster([undefined], others);
    await uninstallPortworx([...others, STORAGE_CLUSTER!], ops, {
      goneTimeoutMs: 60_000,
      pollMs: 1,
      progress: () => undefined,
    });
    expect(calls).to.deep.equal([
      'deleteStrategy UninstallAndWipe on StorageCluster',
      'request delete StorageCluster',
      'read StorageCluster',
      'delete Deployment',
      'delete ServiceAccount',
    ]);
  });

  it('a StorageCluster without the marker is the user’s: left alone, nothing patched', async () => {
    const { calls, ops } = operatorCluster([undefined]);
    const theirs = { ...RUNNING, metadata: { ...RUNNING.metadata, annotations: {} } };
    const outcome = await uninstallPortworx(
      [STORAGE_CLUSTER!],
      { ...ops, read: () => Promise.resolve(theirs) },
      {
        goneTimeoutMs: 60_000,
        pollMs: 1,
        progress: () => undefined,
      },
    );
    expect(outcome.done).to.equal(false);
    expect(calls).to.deep.equal([]);
  });
});

const SC_PATH = '/apis/core.libopenstorage.org/v1/namespaces/kube-system/storageclusters/pxchaos';

/**
 * A stand-in API server holding the harness's StorageCluster: a merge patch sets its spec, a DELETE
 * marks it (deletionTimestamp, phase Uninstalling) and it reads as wiping twice, then 404.
 */
async function operatorApi() {
  const seen: string[] = [];
  let sc: Record<string, unknown> | undefined = structuredClone(RUNNING) as unknown as Record<
    string,
    unknown
  >;
  let wipingReads = 0;
  const api = await new RecordedKubeApi((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(
        `${req.method} ${path}${req.method === 'PATCH' ? ` ${req.headers['content-type']} ${body}` : ''}`,
      );
      if (path === '/apis/core.libopenstorage.org/v1')
        return sendJson(res, 200, {
          kind: 'APIResourceList',
          groupVersion: 'core.libopenstorage.org/v1',
          resources: [
            {
              name: 'storageclusters',
              singularName: 'storagecluster',
              namespaced: true,
              kind: 'StorageCluster',
              verbs: ['get', 'patch', 'delete'],
            },
          ],
        });
      if (path === SC_PATH && sc) {
        if (req.method === 'PATCH')
          sc = { ...sc, spec: { ...(sc.spec as object), ...(JSON.parse(body) as { spec: object }).spec } };
        if (req.method === 'DELETE') {
          sc = { ...(WIPING[0] as unknown as Record<string, unknown>), spec: sc.spec };
          (sc.metadata as Record<string, unknown>).deletionTimestamp = '2026-12-01T10:00:00Z';
        }
        if (
          req.method === 'GET' &&
          (sc.metadata as { deletionTimestamp?: string }).deletionTimestamp &&
          wipingReads++ >= 2
        )
          sc = undefined;
        if (sc) return sendJson(res, 200, sc);
      }
      sendJson(res, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'not found',
      });
    });
  }).start();
  return { api, seen, client: KubeClient.load({ kubeconfig: api.kubeconfig, requestTimeoutMs: 5_000 }) };
}

describe('Portworx uninstall of an Operator install on an API server (stand-in)', () => {
  let api: RecordedKubeApi | undefined;
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });

  it('merge-patches spec.deleteStrategy, deletes the StorageCluster, polls it until 404; never touches nodes', async () => {
    const cluster = await operatorApi();
    api = cluster.api;
    const lines: string[] = [];
    const outcome = await uninstallInstalledPortworx(
      cluster.client,
      SETTINGS,
      [STORAGE_CLUSTER!],
      () => undefined,
      (l) => lines.push(l),
      { goneTimeoutMs: 30_000, pollMs: 1 },
    );
    expect(outcome.done).to.equal(true);
    // Discovery of the group, then only the StorageCluster itself.
    expect(
      cluster.seen.filter((s) => !s.includes(SC_PATH) && s !== 'GET /apis/core.libopenstorage.org/v1'),
    ).to.deep.equal([]);
    const onSc = cluster.seen.filter((s) => s.includes(SC_PATH));
    expect(onSc[0]).to.equal(`GET ${SC_PATH}`);
    expect(onSc[1]).to.equal(
      `PATCH ${SC_PATH} application/merge-patch+json {"apiVersion":"core.libopenstorage.org/v1","kind":"StorageCluster","metadata":{"name":"pxchaos","namespace":"kube-system"},"spec":{"deleteStrategy":{"type":"UninstallAndWipe"}}}`,
    );
    expect(onSc[2]).to.equal(`DELETE ${SC_PATH}`);
    expect(onSc.slice(3).every((s) => s === `GET ${SC_PATH}`)).to.equal(true);
    expect(cluster.seen.some((s) => s.includes('/api/v1/nodes') || s.includes('/pods'))).to.equal(false);
    expect(lines.filter((l) => l.startsWith('waiting for the Operator'))).to.have.length(2);
  });
});

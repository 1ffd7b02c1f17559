import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvironmentError } from '../../../lib/errors.js';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { provisionPortworxStorage } from '../../../lib/sut/portworx/px-provision-kube.js';
import {
  choosePxProvisioner,
  kubeMinor,
  PX_CSI_PROVISIONER,
  PX_IN_TREE_PROVISIONER,
  pxInstallBringsCsi,
  type PxProvisionerFacts,
} from '../../../lib/sut/portworx/px-provisioner.js';
import { renderStorageCluster } from '../../../lib/sut/portworx/px-storage-cluster.js';
import { postgresK8sSettings } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';
import { configSchema, type PxchaosConfig } from '../../../lib/pxchaos-config.js';

/*
 * The Kubernetes facts the choice rests on, as the sources state them:
 * - kubernetes/kubernetes pkg/features/kube_features.go @ b0b89d3b, CSIMigrationPortworx:
 *   1.23 alpha off, 1.25 beta off, 1.31 beta on ("On by default (requires Portworx CSI driver)"),
 *   1.33 GA, LockToDefault; kubernetes/website feature-gates/CSIMigrationPortworx.md @ 02e08b9e
 *   (stable from 1.33, locked: true; "Requires Portworx CSI driver to be installed").
 * - kubernetes/website concepts/storage/volumes.md, "Portworx CSI migration": "only turned on by
 *   default since the v1.31 release"; every operation of the in-tree plugin goes to
 *   `pxd.portworx.com`, which "must be installed on the cluster".
 * - InTreePluginPortworxUnregister: alpha since 1.23, off by default (same kube_features.go): it
 *   does not route anything to CSI.
 */
const facts = (over: Partial<PxProvisionerFacts>): PxProvisionerFacts => ({
  setting: 'auto',
  csiDriver: false,
  serverVersion: 'v1.31.0',
  ...over,
});
const SC = 'portworx-replicated';

describe('Portworx StorageClass provisioner: the choice', () => {
  it('config portworx.provisioner: auto by default; csi or in-tree; anything else refused', () => {
    expect(configSchema.parse({}).portworx.provisioner).to.equal('auto');
    expect(configSchema.parse({ portworx: { provisioner: 'in-tree' } }).portworx.provisioner).to.equal(
      'in-tree',
    );
    const bad = configSchema.safeParse({ portworx: { provisioner: 'kubernetes.io/portworx-volume' } });
    expect(bad.success).to.equal(false);
    expect(bad.error?.issues[0]?.message).to.equal('expected one of: auto, csi, in-tree');
  });

  it('reads 1.x minors from gitVersions, vendor suffixes included', () => {
    expect(['v1.30.4', 'v1.31.0-gke.1200', 'v1.33.1+k3s1', 'v1.20.2', '1.31'].map(kubeMinor)).to.deep.equal([
      30, 31, 33, 20, 31,
    ]);
    expect(kubeMinor('v2.0.0')).to.equal(undefined);
    expect(kubeMinor('nonsense')).to.equal(undefined);
  });

  it('auto: the CSI driver wherever its CSIDriver exists, whatever the version', () => {
    for (const serverVersion of ['v1.20.2', 'v1.30.9', 'v1.31.0', 'v1.34.1'])
      expect(choosePxProvisioner(facts({ serverVersion, csiDriver: true }), SC)).to.deep.equal({
        provisioner: PX_CSI_PROVISIONER,
        reason: 'the cluster has CSIDriver pxd.portworx.com',
      });
  });

  it('auto: the in-tree plugin before 1.31 (migration off by default), saying so', () => {
    expect(choosePxProvisioner(facts({ serverVersion: 'v1.30.9' }), SC)).to.deep.equal({
      provisioner: PX_IN_TREE_PROVISIONER,
      reason:
        'Kubernetes v1.30.9 serves it itself (CSIMigrationPortworx is off by default before 1.31) and the cluster has no CSIDriver pxd.portworx.com',
    });
  });

  it('auto: refuses from 1.31 without the CSIDriver, in one line naming what is missing and how to enable PX CSI', () => {
    const on = choosePxProvisioner(facts({ serverVersion: 'v1.31.2' }), SC);
    const locked = choosePxProvisioner(facts({ serverVersion: 'v1.33.0' }), SC);
    for (const c of [on, locked]) {
      expect(c).to.have.property('refusal');
      const refusal = (c as { refusal: string }).refusal;
      expect(refusal).not.to.include('\n');
      expect(refusal).to.match(
        /^StorageClass portworx-replicated: the cluster has no CSIDriver pxd\.portworx\.com/,
      );
      expect(refusal).to.include('enable Portworx CSI (StorageCluster spec.csi.enabled: true)');
    }
    // Only where the gate can still be turned off is in-tree offered.
    expect((on as { refusal: string }).refusal).to.match(
      /set portworx\.provisioner: in-tree with CSIMigrationPortworx=false/,
    );
    expect((locked as { refusal: string }).refusal).not.to.include('portworx.provisioner');
  });

  it('auto: the CSI driver when the install pxchaos applies brings it, before it exists', () => {
    const brings = pxInstallBringsCsi([
      renderStorageCluster(
        configSchema.parse({}).portworx.install,
        configSchema.parse({}).portworx.loopDevices,
        ['w1'],
      ),
    ]);
    expect(brings).to.equal(
      'StorageCluster kube-system/pxchaos sets spec.csi.enabled: true, so the Operator creates CSIDriver pxd.portworx.com',
    );
    expect(
      choosePxProvisioner(facts({ serverVersion: 'v1.33.0', installBringsCsi: brings! }), SC),
    ).to.deep.equal({ provisioner: PX_CSI_PROVISIONER, reason: brings });
    const csiDriver = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: 'pxd.portworx.com' },
    };
    expect(pxInstallBringsCsi([csiDriver])).to.equal('the install creates CSIDriver pxd.portworx.com');
    const gate = {
      apiVersion: 'core.libopenstorage.org/v1',
      kind: 'StorageCluster',
      metadata: { name: 'px', namespace: 'portworx' },
      spec: { featureGates: { CSI: 'true' } },
    } as KubernetesObject;
    expect(pxInstallBringsCsi([gate])).to.match(
      /^StorageCluster portworx\/px sets spec\.featureGates\.CSI: "true"/,
    );
    // The workshop-style DaemonSet spec has no CSI: nothing is assumed.
    expect(
      pxInstallBringsCsi([{ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'portworx' } }]),
    ).to.equal(undefined);
  });

  it('explicit in-tree: used where it can work, refused from 1.33 without the CSIDriver (the gate is locked)', () => {
    expect(choosePxProvisioner(facts({ setting: 'in-tree', serverVersion: 'v1.32.3' }), SC)).to.deep.equal({
      provisioner: PX_IN_TREE_PROVISIONER,
      reason:
        'portworx.provisioner: in-tree on Kubernetes v1.32.3: claims bind only with CSIMigrationPortworx=false on kube-controller-manager and every kubelet',
    });
    expect(
      choosePxProvisioner(facts({ setting: 'in-tree', serverVersion: 'v1.34.0', csiDriver: true }), SC),
    ).to.include({ provisioner: PX_IN_TREE_PROVISIONER });
    const refused = choosePxProvisioner(facts({ setting: 'in-tree', serverVersion: 'v1.33.0' }), SC);
    expect((refused as { refusal: string }).refusal).to.match(
      /^StorageClass portworx-replicated: portworx\.provisioner: in-tree cannot work on Kubernetes v1\.33\.0: from 1\.33 CSIMigrationPortworx is locked on/,
    );
  });

  it('explicit csi: the CSI driver, saying when its CSIDriver is not there yet', () => {
    expect(choosePxProvisioner(facts({ setting: 'csi', serverVersion: 'v1.20.2' }), SC)).to.deep.equal({
      provisioner: PX_CSI_PROVISIONER,
      reason:
        'portworx.provisioner: csi; no CSIDriver pxd.portworx.com yet, so claims stay Pending until Portworx CSI runs',
    });
  });
});

/** The CSIDriver as the Operator creates it on Kubernetes ≥ 1.20 (operator component/csi.go createCSIDriver). */
const OPERATOR_CSI_DRIVER = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'CSIDriver',
  metadata: { name: 'pxd.portworx.com' },
  spec: {
    attachRequired: false,
    podInfoOnMount: true,
    volumeLifecycleModes: ['Persistent'],
    fsGroupPolicy: 'File',
  },
};
const CSI_DRIVER_PATH = '/apis/storage.k8s.io/v1/csidrivers/pxd.portworx.com';
const SC_PATH = `/apis/storage.k8s.io/v1/storageclasses/${SC}`;

/**
 * A stand-in API server: `/version`, the CSIDriver when `csiDriver`, discovery of storage.k8s.io/v1,
 * and StorageClasses that a server-side apply creates. Records method, path and body of every request.
 */
async function clusterWith(gitVersion: string, csiDriver: boolean) {
  const stored = new Map<string, unknown>();
  const bodies: string[] = [];
  const notFound = (res: ServerResponse, path: string) =>
    sendJson(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `${path} not found`,
    });
  const api = await new RecordedKubeApi((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.method} ${path}${body ? ` ${body}` : ''}`);
      if (path === '/version')
        return sendJson(res, 200, { major: '1', minor: gitVersion.split('.')[1], gitVersion });
      if (path === '/apis/storage.k8s.io/v1')
        return sendJson(res, 200, {
          kind: 'APIResourceList',
          groupVersion: 'storage.k8s.io/v1',
          resources: [
            {
              name: 'storageclasses',
              singularName: 'storageclass',
              namespaced: false,
              kind: 'StorageClass',
              verbs: ['get', 'patch'],
            },
            {
              name: 'csidrivers',
              singularName: 'csidriver',
              namespaced: false,
              kind: 'CSIDriver',
              verbs: ['get'],
            },
          ],
        });
      if (path === CSI_DRIVER_PATH)
        return csiDriver ? sendJson(res, 200, OPERATOR_CSI_DRIVER) : notFound(res, path);
      if (path === SC_PATH && req.method === 'PATCH') {
        stored.set(path, JSON.parse(body) as unknown);
        return sendJson(res, 200, stored.get(path));
      }
      if (path === SC_PATH && stored.has(path)) return sendJson(res, 200, stored.get(path));
      notFound(res, path);
    });
  }).start();
  const client = KubeClient.load({ kubeconfig: api.kubeconfig, requestTimeoutMs: 5_000 });
  return { api, client, stored, bodies };
}

describe('Portworx StorageClass provisioner: chosen on the cluster before anything is applied (stand-in API server)', () => {
  let api: RecordedKubeApi | undefined;
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });
  const CONFIG: PxchaosConfig = configSchema.parse({ kube: { sut: 'portworx' } });
  const provision = async (client: KubeClient, lines: string[], config = CONFIG) =>
    provisionPortworxStorage({
      config,
      settings: postgresK8sSettings(config.kube, 'portworx'),
      client,
      nodeAccess: () => undefined,
      progress: (l) => lines.push(l),
    });

  it('Kubernetes 1.31 without the CSIDriver: refused in one line, nothing applied', async () => {
    const cluster = await clusterWith('v1.31.1', false);
    api = cluster.api;
    const lines: string[] = [];
    const err = await provision(cluster.client, lines).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).to.be.instanceOf(EnvironmentError);
    expect(err!.message).to.match(
      /^StorageClass portworx-replicated: the cluster has no CSIDriver pxd\.portworx\.com, and Kubernetes v1\.31\.1 hands kubernetes\.io\/portworx-volume to it/,
    );
    expect(err!.message).not.to.include('\n');
    expect(cluster.bodies.filter((b) => !b.startsWith('GET '))).to.deep.equal([]);
    expect(cluster.stored.size).to.equal(0);
    expect(lines).to.deep.equal([]);
  });

  it('Kubernetes 1.33 with the Operator’s CSIDriver: the class names pxd.portworx.com', async () => {
    const cluster = await clusterWith('v1.33.2', true);
    api = cluster.api;
    const lines: string[] = [];
    await provision(cluster.client, lines);
    expect(lines).to.deep.equal([
      'StorageClass portworx-replicated: provisioner pxd.portworx.com (the cluster has CSIDriver pxd.portworx.com)',
      'created StorageClass portworx-replicated',
    ]);
    expect((cluster.stored.get(SC_PATH) as { provisioner: string }).provisioner).to.equal('pxd.portworx.com');
    // The version and the CSIDriver were read before the first write.
    const first = cluster.bodies.findIndex((b) => b.startsWith('PATCH '));
    expect(cluster.bodies.slice(0, first).map((b) => b.split(' ').slice(0, 2).join(' '))).to.include.members([
      'GET /version',
      `GET ${CSI_DRIVER_PATH}`,
    ]);
  });

  it('Kubernetes 1.30 without it: the in-tree plugin, which that version still serves', async () => {
    const cluster = await clusterWith('v1.30.6', false);
    api = cluster.api;
    const lines: string[] = [];
    await provision(cluster.client, lines);
    expect(lines[0]).to.equal(
      'StorageClass portworx-replicated: provisioner kubernetes.io/portworx-volume (Kubernetes v1.30.6 serves it itself (CSIMigrationPortworx is off by default before 1.31) and the cluster has no CSIDriver pxd.portworx.com)',
    );
    expect((cluster.stored.get(SC_PATH) as { provisioner: string }).provisioner).to.equal(
      'kubernetes.io/portworx-volume',
    );
  });

  it('a user’s own class (kube.storageClass) is theirs: no choice made, nothing read for it', async () => {
    const cluster = await clusterWith('v1.33.2', false);
    api = cluster.api;
    const config = configSchema.parse({ kube: { sut: 'portworx', storageClass: 'fast-ssd' } });
    const lines: string[] = [];
    await provision(cluster.client, lines, config);
    expect(lines).to.deep.equal([]);
    expect(cluster.bodies).to.deep.equal([]);
  });
});

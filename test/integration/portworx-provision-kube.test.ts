/**
 * A run's Portworx provisioning and `pxchaos teardown` on the kube lab (Kubernetes 1.20, 1 control
 * plane + 3 workers in Docker on one kernel).
 *
 * Real: the loop-device DaemonSet, applied by the harness and run by the kubelet on every node
 * (its privileged init container chroots into the node container and runs the node's own
 * truncate, losetup and mknod on the host kernel's loop devices; the kube lab's nodes share the
 * host's loop devices, so the kernel arbitrates the numbers); the wait for its pods; the
 * StorageClass; the node-side teardown (losetup -d, rm) by docker exec; the kind target's cluster
 * access; the install path (preflight facts from the real nodes, server-side apply, exec into the
 * pods for pxctl) and the documented uninstall (px/enabled=remove, node files, objects).
 * Stand-ins: Portworx itself (test/support/px-stand-in-spec.ts; its pxctl prints STATUS_OK), so
 * the preflight's one-kernel refusal is waived here (the stand-in loads no kernel module); the
 * DaemonSet's images are the ones the nodes hold (no registry reachable): the node's pause image
 * and the kube lab's Postgres image as the init image (it has chroot and sh). deviceMapper is off:
 * this machine's kernel has no device-mapper (portworx.md), so no dm device is made or removed.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { teardownClusterStorage } from '../../lib/cli/teardown-command.js';
import { deleteAndWaitGone } from '../../lib/k8s/delete-objects.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import type { NodeAccess } from '../../lib/nodes/node-access.js';
import { LOOP_DEVICE_DAEMONSET } from '../../lib/sut/portworx/loop-device-daemonset.js';
import { INSTALLED_BY } from '../../lib/sut/postgres-on-k8s/installed-by-marker.js';
import { ONE_KERNEL_STATEMENT, pxPreflight } from '../../lib/sut/portworx/px-preflight.js';
import { provisionPortworxStorage } from '../../lib/sut/portworx/px-provision-kube.js';
import { PORTWORX_STORAGE_CLASS } from '../../lib/sut/portworx/portworx-storage-class.js';
import type { ClusterStorageContext } from '../../lib/sut/postgres-on-k8s/cluster-storage.js';
import { postgresK8sSettings } from '../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { KindTarget } from '../../lib/targets/kind-target.js';
import { standInSpec } from '../support/px-stand-in-spec.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { configSchema, type PxchaosConfig } from '../../lib/pxchaos-config.js';

const PX_NS = 'pxchaos-pxprov-it';
const LOOP_NS = 'pxchaos-pxprov-loop-it';
const DIR = '/var/lib/pxchaos-pxprov-it';
const LOOP_NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LOOP_NS } };
const log = (line: string): void => console.log(`      ${line}`);

describe('Portworx provisioning and pxchaos teardown on the kube lab (real loop devices; PX a stand-in)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let config: PxchaosConfig;
  let nodes: string[];
  let access: (node: string) => NodeAccess | undefined;

  const ctx = (progress: (l: string) => void): ClusterStorageContext<PxchaosConfig> => ({
    config,
    settings: postgresK8sSettings(config.kube, 'portworx'),
    client,
    nodeAccess: access,
    progress,
  });
  const sh = async (node: string, script: string): Promise<string> =>
    (await access(node)!.exec(['sh', '-c', script], { check: false })).stdout.trim();
  const exists = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) =>
    client.objects.read(o as never).then(
      (live) => live,
      () => undefined,
    );

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    const dir = mkdtempSync(join(tmpdir(), 'pxprov-it-'));
    const specFile = join(dir, 'portworx.yaml');
    writeFileSync(
      specFile,
      standInSpec(up.images.postgres, PX_NS)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    config = configSchema.parse({
      target: 'kind',
      kind: { clusterName: SHARED_KUBE_LAB },
      kube: { sut: 'portworx' },
      portworx: {
        loopDevices: {
          enabled: true,
          namespace: LOOP_NS,
          directory: DIR,
          size: '1Gi',
          deviceMapper: false,
          image: 'registry.pxchaos.local/pause:3.2',
          initImage: up.images.postgres,
        },
        install: { enabled: true, specFile, healthTimeout: '5m' },
      },
    });
    const cluster = await new KindTarget(config).clusterAccess();
    access = (node) => cluster!.nodeAccess(node);
    nodes = (await client.core.listNode()).items.map((n) => n.metadata!.name!).sort();
    // A namespace a failed earlier run left (or is still deleting) goes first: apply into it would be refused.
    await deleteAndWaitGone(client, LOOP_NAMESPACE, { timeoutMs: 180_000 });
    await client.core.createNamespace({ body: { metadata: { name: LOOP_NS } } });
    expect(
      await exists({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: PORTWORX_STORAGE_CLASS },
      }),
      'no portworx-replicated class on the shared lab before the test',
    ).to.equal(undefined);
  });

  after(async () => {
    if (!config) return;
    await teardownClusterStorage(config, log).catch((err: unknown) =>
      log(`after: ${(err as Error).message}`),
    );
    await deleteAndWaitGone(client, LOOP_NAMESPACE, { timeoutMs: 180_000 }).catch((err: unknown) =>
      log(`after: ${(err as Error).message}`),
    );
  });

  it('provisions: loop devices on every node, PX from the spec and up, the StorageClass; again reuses them', async () => {
    const lines: string[] = [];
    const progress = (l: string): void => {
      lines.push(l);
      log(l);
    };
    await provisionPortworxStorage(ctx(progress), {
      judgePreflight: (facts) => {
        const verdict = pxPreflight(facts);
        const waived = verdict.refusals.filter((r) => r.endsWith(ONE_KERNEL_STATEMENT));
        for (const r of waived) log(`preflight (waived for the stand-in PX): ${r}`);
        return { ...verdict, refusals: verdict.refusals.filter((r) => !waived.includes(r)) };
      },
    });
    // Chosen before anything is applied: the kube lab is Kubernetes 1.20 and the stand-in brings no CSI.
    expect(lines[0]).to.match(
      new RegExp(
        `^StorageClass ${PORTWORX_STORAGE_CLASS}: provisioner kubernetes\\.io/portworx-volume \\(Kubernetes v1\\.20\\.\\S+ serves it itself`,
      ),
    );
    expect(lines[1]).to.equal(`loop devices: created DaemonSet ${LOOP_NS}/${LOOP_DEVICE_DAEMONSET}`);
    expect(lines.find((l) => l.includes(`Ready on ${nodes.length}/${nodes.length} node(s)`))).to.be.a(
      'string',
    );
    expect(lines.at(-1)).to.equal(`created StorageClass ${PORTWORX_STORAGE_CLASS}`);
    expect(lines.some((l) => /^PX up on 3\/3 nodes after /.test(l))).to.equal(true);

    // Every node (the tainted control plane too: the DaemonSet tolerates it) has its own file on its own loop device.
    const loops: string[] = [];
    for (const node of nodes) {
      const file = `${DIR}/px-${node}.img`;
      const attached = await sh(node, `losetup -j '${file}' | cut -d: -f1`);
      expect(attached, `${node}: loop device of ${file}`).to.match(/^\/dev\/loop[0-9]+$/);
      expect(await sh(node, `cat '${DIR}/px-${node}.device'`), `${node}: recorded device`).to.equal(attached);
      loops.push(attached);
    }
    expect(new Set(loops).size, 'a distinct loop device per node').to.equal(nodes.length);
    const sc = await exists({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: PORTWORX_STORAGE_CLASS },
    });
    expect(sc?.metadata?.annotations?.[INSTALLED_BY]).to.equal('pxchaos');
    expect((sc as { provisioner?: string } | undefined)?.provisioner).to.equal(
      'kubernetes.io/portworx-volume',
    );

    const again: string[] = [];
    await provisionPortworxStorage(ctx((l) => (again.push(l), log(l))));
    expect(again[1]).to.equal(
      `loop devices: DaemonSet ${LOOP_NS}/${LOOP_DEVICE_DAEMONSET} already there (created by pxchaos): reusing it`,
    );
    expect(again).to.include('Portworx: already installed by pxchaos (5 objects): reusing it');
    expect(again.at(-1)).to.equal(
      `StorageClass ${PORTWORX_STORAGE_CLASS} already there (created by pxchaos): reusing it`,
    );
  });

  it('pxchaos teardown removes all of it, in order; a second teardown has nothing to do', async () => {
    const lines: string[] = [];
    await teardownClusterStorage(config, (l) => (lines.push(l), log(l)));
    const steps = lines.map((l) => l.split(':')[0] ?? '');
    expect(lines.findIndex((l) => l.startsWith('Portworx: uninstalled'))).to.be.lessThan(
      lines.findIndex((l) => l.startsWith('loop devices: deleted DaemonSet')),
    );
    expect(steps.filter((s) => s.startsWith('loop devices on '))).to.have.length(nodes.length);
    expect(lines.at(-1)).to.equal(`deleted StorageClass ${PORTWORX_STORAGE_CLASS}`);
    for (const node of nodes) {
      const file = `${DIR}/px-${node}.img`;
      expect(
        await sh(node, `losetup -a | grep -F '${file}' || true`),
        `${node}: no loop device on ${file}`,
      ).to.equal('');
      expect(await sh(node, `ls -A '${DIR}' 2>/dev/null || true`), `${node}: ${DIR} empty or gone`).to.equal(
        '',
      );
    }
    const pods = await client.core.listNamespacedPod({ namespace: LOOP_NS });
    expect(pods.items).to.deep.equal([]);
    expect(
      await exists({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: LOOP_DEVICE_DAEMONSET, namespace: LOOP_NS },
      }),
    ).to.equal(undefined);
    expect(
      await exists({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: PORTWORX_STORAGE_CLASS },
      }),
    ).to.equal(undefined);
    expect(await exists({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PX_NS } })).to.equal(
      undefined,
    );

    const again: string[] = [];
    await teardownClusterStorage(config, (l) => (again.push(l), log(l)));
    expect(again.at(-1)).to.equal('nothing to tear down: nothing pxchaos provisioned is left');
  });
});

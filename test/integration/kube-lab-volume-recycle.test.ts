import { expect } from 'chai';
import { recycleReleasedVolumes, STORAGE_CLASS } from '../../lib/kube-lab/gluster-storage.js';
import { kubectl, kubectlApply, kubectlOk } from '../../lib/kube-lab/kube-lab-kubectl.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { runNamespace } from '../../lib/sut/postgres-on-k8s/run-namespace.js';
import { startCli, type Finished } from '../support/cli-process.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';

const log = (line: string): void => console.log(`      ${line}`);
const NAMESPACE = 'pxchaos-recycle-it';
/** Someone else's namespace (not the harness's labels) whose claims take every Available volume. */
const HOLDER = 'pxchaos-holds-every-volume-it';

/**
 * The kube lab's PVs are a fixed pool (no dynamic provisioner): a run's deleted claim leaves its PV
 * Released, and a kind-target run recycles such PVs before it claims one (lib/targets/kind-target.ts).
 * Real: the API server, the PV controller's binding, the Gluster volume (mounted on a brick node to
 * leave a file behind, and to look for it after the wipe).
 */
describe('kube lab: a Released volume is wiped and claimable again', function () {
  this.timeout(600_000);
  let up: KubeLabUp;
  let controlPlane: string;
  let worker: DockerExecNode;
  let workers: DockerExecNode[];

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    controlPlane = up.layout.controlPlane.name;
    const first = up.layout.workers[0];
    if (!first) throw new Error('the shared kube lab has no worker');
    worker = new DockerExecNode(first.name, first.name);
    workers = up.layout.workers.map((w) => new DockerExecNode(w.name, w.name));
  });

  after(async () => {
    if (controlPlane)
      for (const ns of [NAMESPACE, HOLDER, liveRunNamespace])
        await kubectl(controlPlane, ['delete', 'namespace', ns, '--wait=false']);
  });
  let liveRunNamespace = 'pxchaos-run-itlive01';

  const pvPhase = async (pv: string): Promise<string> =>
    (await kubectlOk(controlPlane, ['get', 'pv', pv, '-o', 'jsonpath={.status.phase}'])).trim();
  /** Runs `script` with the volume mounted at $1 on the brick node. */
  const onVolume = async (volume: string, script: string): Promise<string> => {
    const r = await worker.exec(
      [
        'sh',
        '-c',
        `set -e; mkdir -p "$1"; mount -t glusterfs "localhost:/$2" "$1"; ${script}; umount "$1"; rmdir "$1"`,
        'pxchaos-recycle-it',
        '/mnt/pxchaos-recycle-it',
        volume,
      ],
      { timeoutMs: 60_000 },
    );
    return r.stdout.trim();
  };

  it('binds a claim, leaves data, deletes the claim: the PV is Released, then recycled empty and Available', async () => {
    await kubectlApply(
      controlPlane,
      [
        `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NAMESPACE}}`,
        `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ${NAMESPACE}}\nspec: {accessModes: [ReadWriteOnce], storageClassName: ${STORAGE_CLASS}, resources: {requests: {storage: 1Gi}}}`,
      ].join('\n---\n'),
    );
    let pv = '';
    await waitFor(
      'the claim bound',
      async () => {
        pv = (
          await kubectlOk(controlPlane, [
            'get',
            'pvc',
            'data',
            '-n',
            NAMESPACE,
            '-o',
            'jsonpath={.spec.volumeName}',
          ])
        ).trim();
        return pv !== '';
      },
      60_000,
    );
    const volume = (
      await kubectlOk(controlPlane, ['get', 'pv', pv, '-o', 'jsonpath={.spec.glusterfs.path}'])
    ).trim();
    log(`claim bound to ${pv} (Gluster volume ${volume})`);
    await onVolume(volume, 'echo left-behind > "$1/run-data"');

    await kubectlOk(controlPlane, ['delete', 'pvc', 'data', '-n', NAMESPACE, '--wait=true']);
    await waitFor('the PV Released', async () => (await pvPhase(pv)) === 'Released', 60_000);

    const lines: string[] = [];
    await recycleReleasedVolumes(controlPlane, workers, (l) => lines.push(l));
    expect(lines).to.include(`recycling ${pv}: wiping Gluster volume ${volume}`);
    expect(await pvPhase(pv)).to.equal('Available');
    expect(await onVolume(volume, 'ls "$1"')).to.equal('');

    // Nothing Released any more: a second pass changes nothing and says nothing.
    const again: string[] = [];
    await recycleReleasedVolumes(controlPlane, workers, (l) => again.push(l));
    expect(again.filter((l) => l.includes(pv))).to.deep.equal([]);
  });

  const runKind = (): Promise<Finished & { tookMs: number }> => {
    const started = performance.now();
    return startCli(['run', '--target', 'kind', '--scenario', 'drive-offline', '--report-dir', reportDir], {
      PXCHAOS_CONFIG: '',
      PXCHAOS_KIND_CLUSTER_NAME: SHARED_KUBE_LAB,
    }).done.then((f) => ({ ...f, tookMs: performance.now() - started }));
  };
  const reportDir = path.join(tmpdir(), `pxchaos-recycle-it-${process.pid}`);
  const namespaceExists = async (ns: string): Promise<boolean> =>
    (await kubectl(controlPlane, ['get', 'namespace', ns])).exitCode === 0;

  it('a volume pool exhausted by a live namespace: the run exits 3 within 30 s naming the class, volumes and namespace, touching nothing', async () => {
    await recycleReleasedVolumes(controlPlane, workers, log);
    const available = (
      await kubectlOk(controlPlane, [
        'get',
        'pv',
        '-o',
        'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}',
      ])
    )
      .split('\n')
      .filter((p) => p === 'Available').length;
    expect(available, 'Available volumes to take').to.be.above(0);
    const claims = Array.from(
      { length: available },
      (_, i) =>
        `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data-${i}, namespace: ${HOLDER}}\nspec: {accessModes: [ReadWriteOnce], storageClassName: ${STORAGE_CLASS}, resources: {requests: {storage: 1Gi}}}`,
    );
    await kubectlApply(
      controlPlane,
      [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${HOLDER}}`, ...claims].join('\n---\n'),
    );
    await waitFor(
      'every claim bound',
      async () =>
        (
          await kubectlOk(controlPlane, [
            'get',
            'pvc',
            '-n',
            HOLDER,
            '-o',
            'jsonpath={.items[*].status.phase}',
          ])
        )
          .split(' ')
          .filter((p) => p === 'Bound').length === available,
      60_000,
    );
    const run = await runKind();
    log(`run refused in ${(run.tookMs / 1000).toFixed(1)} s: ${run.stderr.trim()}`);
    expect(run.code, run.stdout + run.stderr).to.equal(3);
    expect(run.tookMs).to.be.below(30_000);
    expect(run.stderr).to.match(
      new RegExp(
        `no Available volume in StorageClass ${STORAGE_CLASS} .*namespaces holding them: .*${HOLDER}`,
      ),
    );
    expect(await namespaceExists(HOLDER), 'the holder namespace is not the harness’s to delete').to.equal(
      true,
    );
    await kubectlOk(controlPlane, ['delete', 'namespace', HOLDER, '--wait=true'], { timeoutMs: 120_000 });
  });

  it('a run namespace of a live run: the run exits 3 naming it and how to remove it; the namespace stays', async () => {
    const id = 'itlive01';
    liveRunNamespace = `pxchaos-run-${id}`;
    // Made by this (live) test process, as a run in another shell would have made it.
    const ns = runNamespace('pxchaos-run', id);
    await kubectlApply(controlPlane, JSON.stringify(ns));
    const run = await runKind();
    expect(run.code, run.stdout + run.stderr).to.equal(3);
    expect(run.stderr).to.include(
      `${liveRunNamespace} (Active): live run, pid ${process.pid} on ${hostname()}`,
    );
    expect(run.stderr).to.include(`delete namespace ${liveRunNamespace}`);
    expect(await namespaceExists(liveRunNamespace), 'a live run’s namespace is never deleted').to.equal(true);
    const status = await startCli(['kube-lab', 'status', '--name', SHARED_KUBE_LAB], {}).done;
    expect(status.stdout).to.include(`run namespace ${liveRunNamespace} (Active): live run`);
    await kubectlOk(controlPlane, ['delete', 'namespace', liveRunNamespace, '--wait=true'], {
      timeoutMs: 120_000,
    });
  });
});

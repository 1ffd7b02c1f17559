import { expect } from 'chai';
import { recycleReleasedVolumes, STORAGE_CLASS } from '../../lib/kube-lab/gluster-storage.js';
import { kubectl, kubectlApply, kubectlOk } from '../../lib/kube-lab/kube-lab-kubectl.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { requireDocker } from '../support/require-docker.js';
import { sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';

const log = (line: string): void => console.log(`      ${line}`);
const NAMESPACE = 'pxchaos-recycle-it';

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

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    controlPlane = up.layout.controlPlane.name;
    const first = up.layout.workers[0];
    if (!first) throw new Error('the shared kube lab has no worker');
    worker = new DockerExecNode(first.name, first.name);
  });

  after(async () => {
    if (controlPlane) await kubectl(controlPlane, ['delete', 'namespace', NAMESPACE, '--wait=false']);
  });

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
    await recycleReleasedVolumes(controlPlane, worker, (l) => lines.push(l));
    expect(lines).to.include(`recycling ${pv}: wiping Gluster volume ${volume}`);
    expect(await pvPhase(pv)).to.equal('Available');
    expect(await onVolume(volume, 'ls "$1"')).to.equal('');

    // Nothing Released any more: a second pass changes nothing and says nothing.
    const again: string[] = [];
    await recycleReleasedVolumes(controlPlane, worker, (l) => again.push(l));
    expect(again.filter((l) => l.includes(pv))).to.deep.equal([]);
  });
});

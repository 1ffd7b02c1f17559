import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { docker, dockerOk } from '../../lib/docker/docker-cli.js';
import { STORAGE_CLASS } from '../../lib/kube-lab/gluster-storage.js';
import { ensureKubeBinaries } from '../../lib/kube-lab/kube-binaries.js';
import { hostLoopDevices, kubeLabLoopDevices } from '../../lib/kube-lab/host-loop-devices.js';
import { kubeLabDown } from '../../lib/kube-lab/kube-lab-down.js';
import { inspectKubeLab } from '../../lib/kube-lab/kube-lab-inspect.js';
import { KUBE_LAB_LABEL } from '../../lib/kube-lab/kube-lab-layout.js';
import { kubectl, kubectlApply, kubectlOk, kubeNodes } from '../../lib/kube-lab/kube-lab-kubectl.js';
import type { KubeLabStatus } from '../../lib/kube-lab/kube-lab-status.js';
import { kubeLabUp, type KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { HostKeyRejectedError } from '../../lib/nodes/host-key-pinning.js';
import { SshNode } from '../../lib/nodes/ssh-node.js';
import { requireDocker } from '../support/require-docker.js';
import { loadConfig } from '../../lib/pxchaos-config.js';

const run = promisify(execFile);
const LAB = 'pxkube-it';
const NS = 'kube-lab-it';
const CLI = join(process.cwd(), 'bin', 'pxchaos.js');
const log = (line: string): void => console.log(`      ${line}`);

interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { conditions?: { type: string; status: string }[] };
}

describe('kube lab (real Kubernetes 1.20 from Debian source, GlusterFS on loop devices)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let cp: string;
  let stateDir: string;

  const pod = async (name: string): Promise<Pod | undefined> => {
    const r = await kubectl(cp, ['get', 'pod', '-n', NS, name, '-o', 'json'], { timeoutMs: 20_000 });
    return r.exitCode === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
  };
  before(async function () {
    await requireDocker(this);
    stateDir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-it-'));
    // From nothing: a lab left by an earlier run goes first.
    await kubeLabDown(LAB);
    // Except one leftover volume of it (a container removed by hand leaves its volumes): up recreates
    // the lab, and the SSH key it made for the new nodes must survive that (the SSH test below).
    await dockerOk(['volume', 'create', '--label', `${KUBE_LAB_LABEL}=${LAB}`, `${LAB}-leftover`], {
      timeoutMs: 20_000,
    });
    up = await kubeLabUp({ name: LAB, workers: 3, progress: log });
    cp = up.layout.controlPlane.name;
  });

  after(async () => {
    await kubeLabDown(LAB).catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('comes up from nothing: 1 control plane + 3 workers Ready, named and labelled like kind', async () => {
    expect(up.outcome).to.equal('created');
    log(`cold up (binaries and images cached): ${(up.durationMs / 1000).toFixed(1)} s`);
    const nodes = await kubeNodes(cp);
    expect(nodes.map((n) => n.name).sort()).to.deep.equal([
      `${LAB}-control-plane`,
      `${LAB}-worker`,
      `${LAB}-worker2`,
      `${LAB}-worker3`,
    ]);
    expect(nodes.every((n) => n.ready && n.kubeletVersion === 'v1.20.2')).to.equal(true);
    const found = await docker(
      [
        'ps',
        '--filter',
        `label=io.x-k8s.kind.cluster=${LAB}`,
        '--format',
        '{{.Names}} {{.Label "io.x-k8s.kind.role"}}',
      ],
      { timeoutMs: 15_000 },
    );
    expect(found.stdout.trim().split('\n').sort()).to.deep.equal([
      `${LAB}-control-plane control-plane`,
      `${LAB}-worker worker`,
      `${LAB}-worker2 worker`,
      `${LAB}-worker3 worker`,
    ]);
  });

  it('runs a pod from a locally built image on each worker, reachable over the pod network', async () => {
    const pods = up.layout.workers.map((w) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `probe-${w.name}`, namespace: NS, labels: { app: 'probe' } },
      spec: {
        nodeName: w.name,
        terminationGracePeriodSeconds: 0,
        containers: [
          { name: 'probe', image: up.images.postgres, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
        ],
      },
    }));
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
    await kubectlApply(cp, [ns, ...pods].map((d) => stringify(d)).join('---\n'));
    await kubectlOk(
      cp,
      ['wait', '-n', NS, '--for=condition=Ready', 'pod', '-l', 'app=probe', '--timeout=180s'],
      {
        timeoutMs: 200_000,
      },
    );
    for (const w of up.layout.workers) expect((await pod(`probe-${w.name}`))?.spec.nodeName).to.equal(w.name);
  });

  it('status --json reports nodes, bricks on host loop devices, Gluster volumes, PVs and timers', async () => {
    const { stdout } = await run('node', [CLI, 'kube-lab', 'status', '--name', LAB, '--json'], {
      timeout: 120_000,
    });
    const status = JSON.parse(stdout) as KubeLabStatus;
    expect(status.healthy, status.problems.join('; ')).to.equal(true);
    expect(status.nodes.map((n) => [n.name, n.role, n.ip, n.ready])).to.deep.equal(
      up.layout.nodes.map((n) => [n.name, n.role, n.ip, true]),
    );
    const hostLoops = kubeLabLoopDevices(await hostLoopDevices(), LAB);
    const workers = status.nodes.filter((n) => n.role === 'worker');
    expect(workers.map((n) => n.brick?.state)).to.deep.equal(['healthy', 'healthy', 'healthy']);
    expect(workers.map((n) => n.brick?.loopDevice).sort()).to.deep.equal(
      hostLoops.map((l) => l.device).sort(),
    );
    expect(new Set(hostLoops.map((l) => l.device)).size, 'a distinct loop device per worker').to.equal(3);
    expect(status.storage?.storageClass).to.equal(STORAGE_CLASS);
    for (const v of status.storage?.volumes ?? []) expect(v.bricks.filter((b) => b.online)).to.have.length(3);
    expect(status.timings?.nodeMonitorGracePeriodMs).to.equal(up.timings.nodeMonitorGracePeriodMs);
    expect(status.access.kubeconfig).to.equal(up.access.kubeconfig);
  });

  it('serves its API to the host with the written kubeconfig (context kind-<name>)', async () => {
    const kubeconfig = await readFile(up.access.kubeconfig, 'utf8');
    expect(kubeconfig).to.include(`current-context: kind-${LAB}`);
    expect(kubeconfig).to.include(`server: https://${up.layout.controlPlane.ip}:6443`);
    const kubectlBin = (await ensureKubeBinaries()).path('kubectl');
    const { stdout } = await run(
      kubectlBin,
      ['--kubeconfig', up.access.kubeconfig, 'get', 'nodes', '-o', 'name'],
      {
        timeout: 30_000,
      },
    );
    expect(stdout.trim().split('\n')).to.have.length(4);
  });

  it('reaches every node over SSH with the generated vm inventory; refuses a changed host key', async () => {
    const config = await loadConfig({ file: up.access.inventory });
    const inventory = config.vm?.inventory ?? [];
    expect(inventory.map((n) => n.name)).to.deep.equal(up.layout.nodes.map((n) => n.name));
    for (const entry of inventory) {
      const node = new SshNode({ ...entry, name: entry.name });
      try {
        expect((await node.exec(['hostname'], { timeoutMs: 20_000 })).stdout.trim()).to.equal(entry.name);
      } finally {
        await node.close();
      }
    }
    const first = inventory[0];
    if (!first) throw new Error('empty inventory');
    const other = inventory[1]?.hostKeyFingerprint ?? '';
    const impostor = new SshNode({ ...first, name: first.name, hostKeyFingerprint: other });
    try {
      const err = await impostor.exec(['true'], { timeoutMs: 20_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(HostKeyRejectedError);
    } finally {
      await impostor.close();
    }
  });

  it('a second up reuses the healthy cluster', async () => {
    const again = await kubeLabUp({ name: LAB, workers: 3 });
    log(`warm up (reuse): ${(again.durationMs / 1000).toFixed(1)} s`);
    expect(again.outcome).to.equal('reused');
    expect((await inspectKubeLab(LAB)).containers.map((c) => c.name)).to.deep.equal(
      up.layout.nodes.map((n) => n.name),
    );
  });

  it('down twice leaves no container, volume, network or loop device', async () => {
    await kubectl(cp, ['delete', 'namespace', NS, '--wait=false'], { timeoutMs: 30_000 });
    const first = await kubeLabDown(LAB);
    expect(first.containers).to.have.length(4);
    const second = await kubeLabDown(LAB);
    expect(second).to.deep.equal({ containers: [], volumes: [], networks: [], loopDevices: [] });
    const left = await inspectKubeLab(LAB);
    expect([...left.containers, ...left.volumes, ...left.networks]).to.deep.equal([]);
    expect(kubeLabLoopDevices(await hostLoopDevices(), LAB)).to.deep.equal([]);
    const { stdout } = await run('losetup', ['-a'], { timeout: 15_000 });
    expect(stdout).to.not.include(`pxchaos-brick-${LAB}-`);
  });
});

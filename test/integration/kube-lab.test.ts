import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config/load-config.js';
import { docker } from '../../lib/docker/docker-cli.js';
import { inject } from '../../lib/faults/fault.js';
import { FaultJournal } from '../../lib/faults/journal.js';
import { findLeftovers } from '../../lib/faults/leftovers.js';
import { partitionPlan } from '../../lib/faults/partition.js';
import { STORAGE_CLASS } from '../../lib/kube-lab/gluster-storage.js';
import { ensureKubeBinaries } from '../../lib/kube-lab/kube-binaries.js';
import { hostLoopDevices, kubeLabLoopDevices } from '../../lib/kube-lab/host-loop-devices.js';
import { kubeLabDown } from '../../lib/kube-lab/kube-lab-down.js';
import { inspectKubeLab } from '../../lib/kube-lab/kube-lab-inspect.js';
import { kubectl, kubectlApply, kubectlOk, kubeNodes } from '../../lib/kube-lab/kube-lab-kubectl.js';
import type { KubeLabStatus } from '../../lib/kube-lab/kube-lab-status.js';
import { kubeLabUp, type KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { HostKeyRejectedError } from '../../lib/nodes/host-key-pinning.js';
import { SshNode } from '../../lib/nodes/ssh-node.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';

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
  const ready = (p: Pod | undefined): boolean =>
    !!p?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const psql = async (podName: string, sql: string, host?: string, password?: string): Promise<string> => {
    const env = password ? ['env', `PGPASSWORD=${password}`] : [];
    const target = host ? ['-h', host] : [];
    return (
      await kubectlOk(
        cp,
        [
          'exec',
          '-n',
          NS,
          podName,
          '--',
          ...env,
          'psql',
          '-U',
          'postgres',
          ...target,
          '-v',
          'ON_ERROR_STOP=1',
          '-tAc',
          sql,
        ],
        { timeoutMs: 60_000 },
      )
    ).trim();
  };

  before(async function () {
    await requireDocker(this);
    stateDir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-it-'));
    // From nothing: a lab left by an earlier run goes first.
    await kubeLabDown(LAB);
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

  it('Postgres on Gluster keeps a row when its node is cut off and the pod is force-deleted onto another worker', async () => {
    const password = randomBytes(12).toString('hex');
    const manifests = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pg', namespace: NS }, stringData: { password } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'pg', namespace: NS },
        spec: { selector: { app: 'pg' }, ports: [{ port: 5432 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'pg', namespace: NS },
        spec: {
          serviceName: 'pg',
          replicas: 1,
          selector: { matchLabels: { app: 'pg' } },
          template: {
            metadata: { labels: { app: 'pg' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [
                {
                  name: 'postgres',
                  image: up.images.postgres,
                  imagePullPolicy: 'Never',
                  env: [
                    {
                      name: 'POSTGRES_PASSWORD',
                      valueFrom: { secretKeyRef: { name: 'pg', key: 'password' } },
                    },
                    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                  ],
                  ports: [{ containerPort: 5432 }],
                  readinessProbe: {
                    exec: { command: ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres'] },
                    periodSeconds: 2,
                  },
                  volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: STORAGE_CLASS,
                resources: { requests: { storage: '1Gi' } },
              },
            },
          ],
        },
      },
    ];
    await kubectlApply(cp, manifests.map((d) => stringify(d)).join('---\n'));
    const first = await waitFor(
      'pg-0 Ready',
      async () => ((p) => (ready(p) ? p : undefined))(await pod('pg-0')),
      300_000,
      2000,
    );
    const oldNode = first.spec.nodeName ?? '';
    log(`pg-0 Ready on ${oldNode}`);
    await psql('pg-0', "create table t (v text); insert into t values ('written before the cut')");

    // Across nodes through the Service's ClusterIP: pod network + kube-proxy, no DNS.
    const clusterIp = (
      await kubectlOk(cp, ['get', 'svc', '-n', NS, 'pg', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    const elsewhere = up.layout.workers.find((w) => w.name !== oldNode);
    if (!elsewhere) throw new Error('no other worker');
    expect(await psql(`probe-${elsewhere.name}`, 'select v from t', clusterIp, password)).to.equal(
      'written before the cut',
    );

    const victim = new DockerExecNode(oldNode, oldNode);
    const peer = new DockerExecNode(elsewhere.name, elsewhere.name);
    const journal = new FaultJournal(stateDir);
    const plan = await partitionPlan(victim, { maxDurationMs: 600_000, verifyFrom: peer, verifyPort: 24007 });
    const cutAt = performance.now();
    const fault = await inject(plan, { journal, healOnSignals: true });
    try {
      // docker exec still reaches the cut node (it does not use the network).
      expect((await victim.exec(['hostname'])).stdout.trim()).to.equal(oldNode);
      await waitFor(
        `${oldNode} NotReady`,
        async () => (await kubeNodes(cp)).find((n) => n.name === oldNode && !n.ready),
        180_000,
        1000,
      );
      log(`${oldNode} NotReady ${((performance.now() - cutAt) / 1000).toFixed(1)} s after the cut`);
      await kubectlOk(cp, ['delete', 'pod', '-n', NS, 'pg-0', '--force', '--grace-period=0', '--wait=false']);
      const deletedAt = performance.now();
      const moved = await waitFor(
        'pg-0 Ready on another worker',
        async () => {
          const p = await pod('pg-0');
          return p && p.metadata.uid !== first.metadata.uid && ready(p) ? p : undefined;
        },
        300_000,
        1000,
      );
      log(
        `pg-0 Ready on ${moved.spec.nodeName ?? '?'} ${((performance.now() - deletedAt) / 1000).toFixed(1)} s after the force delete`,
      );
      expect(moved.spec.nodeName).to.not.equal(oldNode);
      expect(await psql('pg-0', 'select v from t')).to.equal('written before the cut');
    } finally {
      await fault.heal();
    }
    expect(await findLeftovers(victim)).to.deep.equal([]);
    await waitFor(
      `${oldNode} Ready again`,
      async () => (await kubeNodes(cp)).find((n) => n.name === oldNode && n.ready),
      120_000,
      1000,
    );
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

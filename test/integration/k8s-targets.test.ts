import { refusal, sentinel } from '../support/preflight-refusal.js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultStateDir } from '../../lib/faults/journal.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { KindTarget, type KindPreflight } from '../../lib/targets/kind-target.js';
import { targetFor } from '../../lib/targets/targets.js';
import { VmTarget } from '../../lib/targets/vm-target.js';
import { findLeftovers } from '../../lib/faults/leftovers.js';
import { requireDocker } from '../support/require-docker.js';
import { loadConfig } from '../../lib/pxchaos-config.js';

/** The kube lab these tests use; reused when up, taken down after only if they created it. */
const LAB = SHARED_KUBE_LAB;
const CLI = join(process.cwd(), 'bin', 'pxchaos.js');
const log = (line: string): void => console.log(`      ${line}`);

interface Inventory {
  vm: {
    kubeconfig: string;
    context: string;
    inventory: { name: string; host: string; port: number; hostKeyFingerprint: string }[];
  };
}

/** The docker CLI's path, for a PATH that holds nothing else. */
async function dockerOnPath(): Promise<string> {
  for (const d of (process.env.PATH ?? '').split(':')) {
    const file = join(d, 'docker');
    if (
      d &&
      (await stat(file).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      return file;
  }
  throw new Error('docker not on PATH');
}

/** Runs the CLI; resolves with its exit code and stderr (never rejects on a non-zero exit). */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('kind and vm targets on the kube lab: discovery, preflights, blast-radius guard', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let dir: string;
  let inventoryText: string;
  let stateDir: string;

  const writeYaml = async (name: string, value: unknown): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, stringify(value), { mode: 0o600 });
    return file;
  };
  const inventory = (): Inventory => parse(inventoryText) as Inventory;
  /** A vm target from a copy of the lab's inventory, edited by `edit`. */
  const vmFrom = async (name: string, edit: (inv: Inventory) => void, extra: object = {}) => {
    const inv = inventory();
    edit(inv);
    const file = await writeYaml(name, { ...inv, ...extra });
    return new VmTarget(await loadConfig({ file, env: {}, overrides: { target: 'vm' } }));
  };
  /** The lab's kubeconfig with its context renamed and/or its server replaced. */
  const kubeconfigCopy = async (name: string, context: string, server?: string): Promise<string> => {
    const kc = parse(await readFile(up.access.kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
      contexts: { name: string }[];
      'current-context': string;
    };
    const ctx = kc.contexts[0];
    const cluster = kc.clusters[0];
    if (!ctx || !cluster) throw new Error('kube lab kubeconfig without context');
    ctx.name = context;
    kc['current-context'] = context;
    if (server) cluster.cluster.server = server;
    return writeYaml(name, kc);
  };
  /** Nothing of a run happened: the fault journal is as it was before the test. */
  let journalBefore = '';
  const journal = (): Promise<string> => readFile(join(stateDir, 'faults.jsonl'), 'utf8').catch(() => '');
  const untouched = async (): Promise<void> => {
    expect(await journal(), 'fault journal').to.equal(journalBefore);
  };
  beforeEach(async () => {
    journalBefore = await journal();
  });

  before(async function () {
    await requireDocker(this);
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-k8s-targets-'));
    stateDir = defaultStateDir();
    up = await sharedKubeLab(log);
    log(`kube lab ${LAB}: ${up.outcome} in ${(up.durationMs / 1000).toFixed(1)} s (state ${stateDir})`);
    inventoryText = await readFile(up.access.inventory, 'utf8');
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('kind target', () => {
    it('finds the kube lab by kind labels and resolves its kubeconfig and docker-exec nodes', async () => {
      const config = await loadConfig({ env: {}, overrides: { target: 'kind', kind: { clusterName: LAB } } });
      const found = (await targetFor(config).preflight()) as KindPreflight;
      expect(found.lockName).to.equal(`kind cluster ${LAB}`);
      if (found.plan !== 'use') throw new Error(`expected plan use, got ${found.plan}`);
      expect(found.kubeLab).to.equal(true);
      expect(found.kubeconfig).to.equal(up.access.kubeconfig);
      expect(found.context).to.equal(`kind-${LAB}`);
      expect(found.server).to.equal(`https://${up.layout.controlPlane.ip}:6443`);
      expect(found.nodes.map((n) => n.name)).to.deep.equal(up.layout.nodes.map((n) => n.name));
      // Faults and Postgres go to the workers (kubeadm's role labels), never the control plane.
      expect(found.workers.map((n) => n.name)).to.deep.equal(up.layout.workers.map((w) => w.name));
      expect(found.containers.map((c) => c.role)).to.deep.equal([
        'control-plane',
        'worker',
        'worker',
        'worker',
      ]);
      // The nodes really are reachable by docker exec: each answers with its own hostname.
      const hostnames = await Promise.all(
        found.nodes.map(async (n) => (await n.exec(['hostname'], { timeoutMs: 15_000 })).stdout.trim()),
      );
      expect(hostnames).to.deep.equal(up.layout.nodes.map((n) => n.name));
      await untouched();
    });

    it('no such cluster and no kind CLI: exit 3 in one line naming pxchaos kube-lab up', async () => {
      // PATH with docker only: `kind` is certainly not on it.
      const bin = join(dir, 'bin-docker-only');
      await mkdir(bin, { recursive: true });
      const dockerCli = await dockerOnPath();
      await symlink(dockerCli, join(bin, 'docker')).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      });
      const r = await cli(['run', '--target', 'kind', '--report-dir', join(dir, 'reports-kind')], {
        ...process.env,
        PATH: bin,
        PXCHAOS_CONFIG: '',
        PXCHAOS_KIND_CLUSTER_NAME: 'pxkube-nosuch',
      });
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.include("no cluster 'pxkube-nosuch'");
      expect(r.stderr).to.include('no kind CLI on PATH');
      expect(r.stderr).to.include('pxchaos kube-lab up --name pxkube-nosuch');
      await untouched();
    });

    it('no such cluster but a kind CLI: plans to create it in open(), guarded like any other context', async () => {
      // A stand-in `kind` that would leave a mark if anything ran it: preflight must not.
      const bin = join(dir, 'bin-fake-kind');
      const mark = join(dir, 'kind-ran');
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, 'kind'), `#!/bin/sh\necho "$@" > ${mark}\nexit 1\n`, { mode: 0o755 });
      const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
      const overrides = { target: 'kind', kind: { clusterName: 'pxkube-nosuch' } };
      const refusedTarget = new KindTarget(await loadConfig({ env: {}, overrides }), { env });
      const err = await refusal(refusedTarget.preflight());
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.include(
        "kube context 'kind-pxkube-nosuch' (cluster not created yet) is not allowed",
      );
      const allowed = await loadConfig({
        env: {},
        overrides: { ...overrides, kube: { allowedContexts: ['kind-pxkube-nosuch'] } },
      });
      const plan = await new KindTarget(allowed, { env }).preflight();
      expect(plan).to.deep.include({
        plan: 'create',
        lockName: 'kind cluster pxkube-nosuch',
        kindCli: join(bin, 'kind'),
        context: 'kind-pxkube-nosuch',
        configFile: join(process.cwd(), 'kind-config.yaml'),
      });
      expect(
        await stat(mark).then(
          () => 'ran',
          () => 'not run',
        ),
      ).to.equal('not run');
    });

    it("the kube lab's kubeconfig missing (another state dir): exit 3 in one line saying where it comes from", async () => {
      const config = await loadConfig({ env: {}, overrides: { target: 'kind', kind: { clusterName: LAB } } });
      const saved = process.env.PXCHAOS_STATE_DIR;
      process.env.PXCHAOS_STATE_DIR = join(dir, 'empty-state');
      try {
        const err = await refusal(new KindTarget(config).preflight());
        expect(err.exitCode, err.message).to.equal(3);
        expect(err.message).to.match(
          /^target kind: kubeconfig .*empty-state.* not found \(kube lab .* kube-lab up/,
        );
      } finally {
        if (saved === undefined) delete process.env.PXCHAOS_STATE_DIR;
        else process.env.PXCHAOS_STATE_DIR = saved;
      }
    });
  });

  describe('vm target', () => {
    it("passes with the kube lab's vm-inventory.yaml: every node answers over SSH and is a Kubernetes node", async () => {
      const config = await loadConfig({ file: up.access.inventory, env: {}, overrides: { target: 'vm' } });
      const found = await targetFor(config).preflight();
      expect(found).to.deep.include({
        lockName: `kind cluster ${LAB}`,
        context: `kind-${LAB}`,
        server: `https://${up.layout.controlPlane.ip}:6443`,
        kubeLab: LAB,
        nodes: up.layout.nodes.map((n) => n.name),
      });
      await untouched();
    });

    it('missing kubeconfig: exit 3 in one line', async () => {
      const target = await vmFrom('vm-no-kubeconfig.yaml', (inv) => {
        inv.vm.kubeconfig = join(dir, 'nope', 'kubeconfig');
      });
      const err = await refusal(target.preflight());
      expect(err.exitCode, err.message).to.equal(3);
      expect(err.message).to.equal(`target vm: kubeconfig ${join(dir, 'nope', 'kubeconfig')} not found`);
    });

    it('unknown context: exit 2 in one line listing the known ones', async () => {
      const target = await vmFrom('vm-bad-context.yaml', (inv) => {
        inv.vm.context = 'kind-nosuch';
      });
      const err = await refusal(target.preflight());
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.equal(
        `target vm: context 'kind-nosuch' not in kubeconfig ${up.access.kubeconfig}; known contexts: kind-${LAB}`,
      );
    });

    it('an inventory node that does not answer (wrong port): exit 3 naming the node', async () => {
      const target = await vmFrom('vm-wrong-port.yaml', (inv) => {
        const node = inv.vm.inventory[2];
        if (node) node.port = 2; // nothing listens there
      });
      const started = performance.now();
      const err = await refusal(target.preflight());
      expect(err.exitCode, err.message).to.equal(3);
      const node = up.layout.nodes[2];
      expect(err.message).to.match(
        new RegExp(
          `^target vm: ${node?.name} \\(root@${node?.ip}:2\\) does not answer over SSH: .*ECONNREFUSED`,
        ),
      );
      expect(performance.now() - started, 'refused within the SSH deadline').to.be.below(15_000);
    });

    it('a changed host key (pinned key edited in a copy): exit 3 naming the node and both fingerprints', async () => {
      const inv = inventory();
      const [first, second] = inv.vm.inventory;
      if (!first || !second) throw new Error('inventory too short');
      const target = await vmFrom('vm-changed-key.yaml', (copy) => {
        const node = copy.vm.inventory[1];
        if (node) node.hostKeyFingerprint = first.hostKeyFingerprint;
      });
      const err = await refusal(target.preflight());
      expect(err.exitCode, err.message).to.equal(3);
      expect(err.message).to.include(`target vm: ${second.name} (root@${second.host}:22) host key mismatch`);
      expect(err.message).to.include(`presented host key ${second.hostKeyFingerprint}`);
      expect(err.message).to.include(`pinned ${first.hostKeyFingerprint}`);
    });

    it('a node missing from either side is named: exit 2 in one line', async () => {
      const target = await vmFrom('vm-mismatch.yaml', (inv) => {
        const last = inv.vm.inventory.pop();
        if (last) inv.vm.inventory.push({ ...last, name: 'ghost' });
      });
      const err = await refusal(target.preflight());
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.equal(
        `target vm: context kind-${LAB}: inventory nodes that are not Kubernetes nodes: ghost; Kubernetes nodes missing from vm.inventory: ${LAB}-worker3`,
      );
    });
  });

  describe('blast-radius guard', () => {
    it('a context outside kube.allowedContexts is refused (exit 2, the config line to allow it); allowed once listed', async () => {
      const kubeconfig = await kubeconfigCopy('kubeconfig-renamed.yaml', 'h9c-outside');
      const edit = (inv: Inventory): void => {
        inv.vm.kubeconfig = kubeconfig;
        inv.vm.context = 'h9c-outside';
      };
      const refused = await vmFrom('vm-outside.yaml', edit);
      const err = await refusal(refused.preflight());
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.equal(
        `target vm: kube context 'h9c-outside' (https://${up.layout.controlPlane.ip}:6443) is not allowed: faults would disrupt that cluster and kube.allowedContexts is empty; to allow it add 'h9c-outside' to kube.allowedContexts in the config, e.g. the line: kube: { allowedContexts: [h9c-outside] }`,
      );
      // The line the message gives, added to the same file, lets the same cluster through.
      const line = err.message.split('e.g. the line: ')[1] ?? '';
      const allowed = await vmFrom('vm-outside-allowed.yaml', edit, parse(line) as object);
      const found = await allowed.preflight();
      expect(found.lockName).to.equal(`kube cluster https://${up.layout.controlPlane.ip}:6443`);
      expect(found.kubeLab).to.equal(undefined);
    });

    it('is checked before any connection: a refused cluster and its nodes are never contacted', async () => {
      const api = await sentinel();
      const ssh = await sentinel();
      try {
        // Named like the kube lab's context, but its server is not the lab's control plane.
        const kubeconfig = await kubeconfigCopy(
          'kubeconfig-impostor.yaml',
          `kind-${LAB}`,
          `https://127.0.0.1:${api.port}`,
        );
        const target = await vmFrom('vm-impostor.yaml', (inv) => {
          inv.vm.kubeconfig = kubeconfig;
          for (const node of inv.vm.inventory) {
            node.host = '127.0.0.1';
            node.port = ssh.port;
          }
        });
        const err = await refusal(target.preflight());
        expect(err.exitCode, err.message).to.equal(2);
        expect(err.message).to.match(
          new RegExp(
            `^target vm: kube context 'kind-${LAB}' \\(https://127.0.0.1:${api.port}\\) is not allowed`,
          ),
        );
        expect(api.connections(), 'API server connections').to.equal(0);
        expect(ssh.connections(), 'SSH connections').to.equal(0);
      } finally {
        api.server.close();
        ssh.server.close();
      }
    });

    it('pxchaos run refuses it from the command line: exit 2, one line, nothing run', async () => {
      const kubeconfig = await kubeconfigCopy('kubeconfig-cli.yaml', 'h9c-cli-outside');
      const inv = inventory();
      inv.vm.kubeconfig = kubeconfig;
      inv.vm.context = 'h9c-cli-outside';
      const file = await writeYaml('vm-cli.yaml', inv);
      const reports = join(dir, 'reports-vm');
      const r = await cli(['run', '--target', 'vm', '--config', file, '--report-dir', reports], {
        ...process.env,
        PXCHAOS_CONFIG: '',
      });
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.match(
        /^pxchaos: target vm: kube context 'h9c-cli-outside' .* kube: \{ allowedContexts: \[h9c-cli-outside\] \}\n$/,
      );
      expect(r.stdout).to.equal('');
      expect(await readdir(reports).catch(() => []), 'reports').to.deep.equal([]);
      await untouched();
    });

    it('pxchaos inject refuses it too: exit 2, one line, no fault journaled', async () => {
      const kubeconfig = await kubeconfigCopy('kubeconfig-inject.yaml', 'h9c-inject-outside');
      const inv = inventory();
      inv.vm.kubeconfig = kubeconfig;
      inv.vm.context = 'h9c-inject-outside';
      const file = await writeYaml('vm-inject.yaml', inv);
      const worker = up.layout.workers[0]?.name ?? '';
      const r = await cli(
        ['inject', 'partition', '--target', 'vm', '--config', file, '--node', worker, '--for', '5s'],
        { ...process.env, PXCHAOS_CONFIG: '' },
      );
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.include("kube context 'h9c-inject-outside'");
      await untouched();
    });
  });

  describe('faults by hand through a Kubernetes target', () => {
    it('inject partition --target vm cuts a worker over SSH (verified on glusterd 24007), heals it, leaves nothing', async () => {
      const worker = up.layout.workers[1]?.name ?? '';
      const r = await cli(
        [
          'inject',
          'partition',
          '--target',
          'vm',
          '--config',
          up.access.inventory,
          '--node',
          worker,
          '--for',
          '5s',
        ],
        { ...process.env, PXCHAOS_CONFIG: '' },
      );
      log(r.stdout.trim().split('\n').join(' | '));
      expect(r.code, `${r.stdout}${r.stderr}`).to.equal(0);
      expect(r.stdout).to.include(`TCP to ${worker}:24007 times out`);
      expect(r.stdout).to.include(`verified healed: ${worker} answers again`);
      const lines = (await journal()).slice(journalBefore.length).trim().split('\n');
      // Journaled before the inject, closed by the heal: one open and one close line.
      expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).to.deep.equal(['open', 'close']);
      const node = (
        await targetFor(
          await loadConfig({ file: up.access.inventory, env: {}, overrides: { target: 'vm' } }),
        ).faultSurface()
      ).nodes;
      try {
        const target = node.get(worker);
        if (!target) throw new Error(`${worker} not in the vm fault surface`);
        expect(await findLeftovers(target)).to.deep.equal([]);
      } finally {
        await Promise.all([...node.values()].map((n) => n.close()));
      }
    });

    it('inject with an unknown node names the cluster and its workers: exit 2', async () => {
      const r = await cli(
        ['inject', 'agent-down', '--target', 'kind', '--node', `${LAB}-control-plane`, '--for', '5s'],
        { ...process.env, PXCHAOS_CONFIG: '', PXCHAOS_KIND_CLUSTER_NAME: LAB },
      );
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim()).to.equal(
        `pxchaos: unknown node '${LAB}-control-plane' in kind cluster '${LAB}'; known nodes: ${up.layout.workers.map((w) => w.name).join(', ')}`,
      );
      await untouched();
    });
  });
});

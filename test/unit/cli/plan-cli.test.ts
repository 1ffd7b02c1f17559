import type { V1PodSpec } from '@kubernetes/client-node';
import { expect } from 'chai';
import { Command } from 'commander';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { registerPlanCommand } from '../../../lib/cli/plan-command.js';
import { SCENARIO_NAMES } from '../../../lib/config/config-schema.js';
import { RUN_LABEL } from '../../../lib/sut/postgres-on-k8s/run-namespace.js';
import { crdProblems, type Crd } from '../../support/crd-schema.js';
import { hasSchema, validateManifest } from '../../support/kubernetes-schema.js';
import { pxFixture } from '../../support/px-fixtures.js';
import { WORKSHOP_SPEC } from '../../support/px-kube-api.js';
import { parseAllDocuments } from 'yaml';

const CLI = join(process.cwd(), 'bin', 'pxchaos.js');
const STORAGE_CLUSTER_CRD = parse(
  readFileSync(
    new URL('../../fixtures/portworx-operator/storagecluster-crd-v1-excerpt.yaml', import.meta.url),
    'utf8',
  ),
) as Crd;
const PASSWORD = 'S3cr3t-only-in-memory-7f1e';

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> } };

interface Plan {
  target: string;
  sut: string;
  storage?: {
    manifests: Manifest[];
    drive?: { device: string; recordedIn: string };
    provisioner?: { storageClass: string; provisioner: string; reason: string };
    teardown: { delete: { kind: string; name: string }[]; steps: { on: string; argv: string[] }[] };
    install?: {
      source: string;
      objects: (Manifest & { apiVersion: string; metadata: { annotations?: Record<string, string> } })[];
      preflight: string[];
      health: string;
      uninstall: { step: string; argv?: string[] }[];
    };
  };
  namespace: string;
  manifests: Manifest[];
  workload: { pgbenchInit: { argv: string[]; expectedRows: number } };
  faults: { scenario: string; steps: { on: string; purpose: string; argv: unknown[] }[] }[];
}

/** Runs `pxchaos plan` in-process with a known password; returns what it printed. */
async function planOutput(args: string[], configFile: string): Promise<string> {
  let out = '';
  const program = new Command('pxchaos').exitOverride();
  registerPlanCommand(program, {
    out: (text) => (out += text),
    generatePassword: () => PASSWORD,
    newRunId: () => 'feedc0de',
  });
  await program.parseAsync(['node', 'pxchaos', 'plan', ...args, '--config', configFile]);
  return out;
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('pxchaos plan', function () {
  this.timeout(60_000);
  let dir: string;
  let emptyConfig: string;
  /** Loop devices are off by default (a cluster with real disks needs none); the plans below show them. */
  let loopConfig: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-plan-'));
    emptyConfig = join(dir, 'empty.yaml');
    await writeFile(emptyConfig, '');
    loopConfig = join(dir, 'loop.yaml');
    await writeFile(loopConfig, 'portworx:\n  loopDevices: { enabled: true }\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const combos: [string[], string, string][] = [
    [['--target', 'kind'], 'kind', 'gluster'],
    [['--target', 'vm'], 'vm', 'portworx'],
    [['--target', 'kind', '--sut', 'portworx'], 'kind', 'portworx'],
    [['--target', 'vm', '--sut', 'gluster'], 'vm', 'gluster'],
  ];
  for (const [args, target, sut] of combos) {
    describe(args.join(' '), () => {
      let text: string;
      let plan: Plan;
      before(async () => {
        text = await planOutput(args, loopConfig);
        plan = parse(text) as Plan;
      });

      it(`is YAML for target ${target} and storage driver ${sut}`, () => {
        expect(plan.target).to.equal(target);
        expect(plan.sut).to.equal(sut);
      });

      it('lists manifests that all validate, the run namespace first', () => {
        expect(plan.manifests.map((m) => m.kind)).to.include.members([
          'Namespace',
          'Secret',
          'Service',
          'StatefulSet',
        ]);
        for (const m of plan.manifests) validateManifest(m);
        expect(plan.manifests[0]?.metadata.name).to.equal(plan.namespace);
        expect(plan.manifests[0]?.metadata.labels?.[RUN_LABEL]).to.equal('feedc0de');
      });

      if (sut === 'portworx')
        it('provisions the loop-device drives and the StorageClass first, all valid, with their teardown', () => {
          const storage = plan.storage!;
          expect(storage.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).to.deep.equal([
            'DaemonSet/pxchaos-px-loop-devices',
            'StorageClass/portworx-replicated',
          ]);
          for (const m of storage.manifests) validateManifest(m);
          expect(storage.drive?.device).to.equal('/dev/mapper/pxchaos-px-<node>');
          expect(storage.teardown.delete.map((d) => d.kind)).to.deep.equal(['DaemonSet', 'StorageClass']);
          expect(storage.teardown.steps[0]?.argv[0]).to.equal('sh');
          expect(Object.keys(plan).indexOf('storage')).to.be.lessThan(Object.keys(plan).indexOf('manifests'));
          const sts = plan.manifests.find((m) => m.kind === 'StatefulSet');
          expect(JSON.stringify(sts)).to.include('"storageClassName":"portworx-replicated"');
        });
      else
        it('provisions no cluster storage (the kube lab has its own)', () => {
          expect(plan).not.to.have.property('storage');
          expect(text).not.to.include('pxchaos-px-loop-devices');
        });

      it('never prints the password', () => {
        expect(text).not.to.include(PASSWORD);
        expect(text).not.to.include(Buffer.from(PASSWORD).toString('base64'));
      });

      it('plans pgbench at the configured scale', () => {
        const argv = plan.workload.pgbenchInit.argv;
        const scale = Number(argv[argv.indexOf('-s') + 1]);
        expect(plan.workload.pgbenchInit.expectedRows).to.equal(scale * 100_000);
      });

      it('gives every scenario its node commands, fault before revert, on named nodes', () => {
        expect(plan.faults.map((f) => f.scenario)).to.deep.equal([...SCENARIO_NAMES]);
        for (const f of plan.faults) {
          const purposes = f.steps.map((s) => s.purpose);
          const inject = purposes.indexOf('inject');
          const revert = purposes.findIndex((p) => p.startsWith('revert'));
          expect(inject, f.scenario).to.be.at.least(1); // the auto-revert timer is armed first
          expect(revert, f.scenario).to.be.greaterThan(inject);
          for (const s of f.steps) {
            expect(s.on, f.scenario).to.match(/^<(primary|peer) node>$/);
            expect(s.argv.length, `${f.scenario}: ${s.purpose}`).to.be.greaterThan(0);
            for (const a of s.argv) expect(a, `${f.scenario}: ${s.purpose}`).to.be.a('string');
          }
        }
      });
    });
  }

  it('takes the settings from the config file', async () => {
    const file = join(dir, 'custom.yaml');
    await writeFile(
      file,
      'workload: { pgbenchScale: 3 }\nkube: { storageClass: fast-ssd, nodePort: 30432 }\nscenarios: { drive-offline: { driveMode: hang } }\n',
    );
    const plan = parse(await planOutput(['--target', 'kind'], file)) as Plan;
    expect(plan.workload.pgbenchInit.expectedRows).to.equal(300_000);
    expect(JSON.stringify(plan.manifests)).to.include('"storageClassName":"fast-ssd"');
    expect(plan.manifests.filter((m) => m.kind === 'Service')).to.have.length(3);
    const drive = plan.faults.find((f) => f.scenario === 'drive-offline')!;
    const gluster = parse(await planOutput(['--target', 'kind'], emptyConfig)) as Plan;
    const errorInject = gluster.faults
      .find((f) => f.scenario === 'drive-offline')!
      .steps.find((s) => s.purpose === 'inject');
    const hangInject = drive.steps.find((s) => s.purpose === 'inject');
    expect(hangInject?.argv, 'driveMode hang plans another command than error').not.to.deep.equal(
      errorInject?.argv,
    );
  });

  it("portworx: the drive fault acts on the node's dm device of the loop-device layer, and refuses a node without it", async () => {
    const plan = parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], emptyConfig)) as Plan;
    const steps = plan.faults.find((f) => f.scenario === 'drive-offline')!.steps;
    const inject = steps.find((s) => s.purpose === 'inject')!;
    expect(inject.argv).to.include('pxchaos-px-<primary node>');
    expect(inject.argv.join(' ')).to.include('no device-mapper device $1 on this node');
  });

  it('takes the loop devices from the config, quoted into the script; a class the user names is not created', async () => {
    const file = join(dir, 'portworx.yaml');
    await writeFile(
      file,
      [
        'kube: { storageClass: px-db }',
        'portworx:',
        '  loopDevices:',
        '    enabled: true',
        "    directory: /srv/px chaos/it's",
        '    size: 20G',
        '    deviceMapper: false',
        '    image: registry.example/pause:3.10',
      ].join('\n'),
    );
    const plan = parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], file)) as Plan;
    const storage = plan.storage!;
    expect(storage.manifests.map((m) => m.kind)).to.deep.equal(['DaemonSet']);
    for (const m of storage.manifests) validateManifest(m);
    const pod = (storage.manifests[0] as unknown as { spec: { template: { spec: V1PodSpec } } }).spec.template
      .spec;
    const script = pod.initContainers?.[0]?.command?.[4] ?? '';
    expect(script.split('\n')).to.include.members([
      `DIR='/srv/px chaos/it'\\''s'`,
      'SIZE_BYTES=20000000000',
      'DEVICE_MAPPER=0',
    ]);
    expect(pod.containers[0]?.image).to.equal('registry.example/pause:3.10');
    expect(storage.drive?.recordedIn).to.equal("/srv/px chaos/it's/px-<node>.device");
    expect(storage.teardown.delete.map((d) => d.kind)).to.deep.equal(['DaemonSet']);
  });

  it('portworx without portworx.loopDevices.enabled: only the StorageClass, no drive and no node teardown', async () => {
    const storage = (parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], emptyConfig)) as Plan)
      .storage!;
    expect(storage.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).to.deep.equal([
      'StorageClass/portworx-replicated',
    ]);
    expect(storage).not.to.have.property('drive');
    expect(storage.teardown.steps).to.deep.equal([]);
  });

  it('portworx.install: the rendered StorageCluster, preflight, health and the uninstall steps; a CRD, so only its metadata is checked', async () => {
    const file = join(dir, 'px-install.yaml');
    await writeFile(file, 'portworx:\n  install: { enabled: true, clusterName: px-lab }\n');
    const storage = (parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], file)) as Plan).storage!;
    const install = storage.install!;
    const [sc] = install.objects;
    expect(install.objects).to.have.length(1);
    expect(`${sc!.apiVersion}/${sc!.kind}`).to.equal('core.libopenstorage.org/v1/StorageCluster');
    expect(hasSchema(sc)).to.equal(false);
    expect(sc!.metadata.name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(sc!.metadata.annotations).to.deep.equal({ 'pxchaos.io/installed-by': 'pxchaos' });
    expect(JSON.stringify(sc)).to.include('/dev/mapper/pxchaos-px-<node>');
    expect(install.preflight.join('\n')).to.include('one PX per kernel');
    expect(install.health).to.include('pxctl -j status');
    expect(install.uninstall.map((s) => s.step).join('\n')).to.match(
      /deleteStrategy.*UninstallAndWipe[\s\S]*delete StorageCluster kube-system\/px-lab and wait until it is gone/,
    );
  });

  it('portworx.install and loop devices: a v1 StorageCluster the Operator’s CRD takes, enabling CSI, so the class names pxd.portworx.com, saying why', async () => {
    const file = join(dir, 'px-install-loop.yaml');
    await writeFile(file, 'portworx:\n  loopDevices: { enabled: true }\n  install: { enabled: true }\n');
    const storage = (parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], file)) as Plan).storage!;
    const [sc] = storage.install!.objects;
    expect(sc!.apiVersion).to.equal('core.libopenstorage.org/v1');
    expect(crdProblems(sc!, STORAGE_CLUSTER_CRD)).to.deep.equal([]);
    expect((sc as unknown as { spec: { csi: unknown } }).spec.csi).to.deep.equal({ enabled: true });
    expect(storage.provisioner).to.deep.equal({
      storageClass: 'portworx-replicated',
      provisioner: 'pxd.portworx.com',
      reason:
        'StorageCluster kube-system/pxchaos sets spec.csi.enabled: true, so the Operator creates CSIDriver pxd.portworx.com',
    });
    const cls = storage.manifests.find((m) => m.kind === 'StorageClass') as unknown as {
      provisioner: string;
    };
    expect(cls.provisioner).to.equal('pxd.portworx.com');
  });

  it('portworx without install: the class’s provisioner is decided by the run, on the condition the plan states', () => {
    // loopConfig: loop devices on, install off (the combos above).
    return planOutput(['--target', 'vm', '--sut', 'portworx'], loopConfig).then((text) => {
      const storage = (parse(text) as Plan).storage!;
      expect(storage.provisioner?.provisioner).to.equal(
        '<pxd.portworx.com or kubernetes.io/portworx-volume>',
      );
      expect(storage.provisioner?.reason).to.equal(
        'decided by a run before it applies anything: pxd.portworx.com if the cluster has CSIDriver pxd.portworx.com; else kubernetes.io/portworx-volume if Kubernetes is older than 1.31 (CSIMigrationPortworx off by default); else the run is refused: enable Portworx CSI (StorageCluster spec.csi.enabled: true)',
      );
    });
  });

  it('portworx.install.specFile: every object of the spec, each validated where Kubernetes has a schema for it', async () => {
    // The workshop's spec without the documents that do not parse upstream (SOURCES.md §8).
    const spec = parseAllDocuments(pxFixture(WORKSHOP_SPEC))
      .filter((d) => d.errors.length === 0 && d.toJS() !== null)
      .map((d) => d.toString())
      .join('---\n');
    await writeFile(join(dir, 'portworx-spec.yaml'), spec);
    const file = join(dir, 'px-spec-install.yaml');
    await writeFile(file, 'portworx:\n  install: { enabled: true, specFile: portworx-spec.yaml }\n');
    const install = (parse(await planOutput(['--target', 'vm', '--sut', 'portworx'], file)) as Plan).storage!
      .install!;
    expect(install.source).to.equal(`spec file ${join(dir, 'portworx-spec.yaml')}`);
    const checked = install.objects.filter(hasSchema);
    for (const o of checked) validateManifest(o);
    expect(checked.map((o) => o.kind)).to.include.members([
      'DaemonSet',
      'ServiceAccount',
      'ClusterRole',
      'Deployment',
    ]);
    // What is left has no schema here: CRDs and the v1beta1 objects of a 2020 spec.
    const unchecked = install.objects.filter((o) => !hasSchema(o)).map((o) => `${o.apiVersion}/${o.kind}`);
    for (const u of unchecked)
      expect(u).to.match(/v1beta1|v1alpha1|^portworx\.io|^stork\.libopenstorage\.org/);
    for (const o of install.objects)
      expect(o.metadata.annotations?.['pxchaos.io/installed-by']).to.equal('pxchaos');
  });

  it('bad input: one line on stderr, exit 2', async () => {
    const env = { ...process.env, PXCHAOS_CONFIG: emptyConfig };
    for (const args of [
      ['plan', '--target', 'lab'],
      ['plan', '--target', 'kind', '--sut', 'ceph'],
      ['plan'],
    ]) {
      const r = await run(args, env, dir);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stdout, args.join(' ')).to.equal('');
    }
  });

  it('touches nothing: no Docker, no cluster, no kubeconfig, no SSH', async () => {
    // A trap every client would reach: the Docker host, the kubeconfig's API server, and stand-ins
    // for docker, kubectl, kind and ssh first on PATH (nothing else is on it).
    let connections = 0;
    const trap: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const port = (trap.address() as AddressInfo).port;
    const bin = join(dir, 'bin');
    const marks = join(dir, 'marks');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin, { recursive: true });
    await mkdir(marks, { recursive: true });
    for (const tool of ['docker', 'kubectl', 'kind', 'ssh', 'iptables', 'gluster', 'pxctl']) {
      // Shell builtins only: nothing else is on PATH.
      await writeFile(join(bin, tool), `#!/bin/sh\n: >${join(marks, tool)}\nexit 1\n`);
      await chmod(join(bin, tool), 0o755);
    }
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: trap, cluster: {server: "https://127.0.0.1:${port}"}}]\ncontexts: [{name: trap, context: {cluster: trap, user: trap}}]\ncurrent-context: trap\nusers: [{name: trap, user: {token: x}}]\n`,
    );
    try {
      const env = {
        PATH: bin,
        HOME: dir,
        KUBECONFIG: kubeconfig,
        DOCKER_HOST: `tcp://127.0.0.1:${port}`,
        PXCHAOS_CONFIG: emptyConfig,
      };
      for (const target of ['kind', 'vm']) {
        const r = await run(['plan', '--target', target], env, dir);
        expect(r.code, r.stderr).to.equal(0);
        expect((parse(r.stdout) as Plan).target).to.equal(target);
      }
      expect(await readdir(marks), 'tools run').to.deep.equal([]);
      expect(connections, 'connections to the Docker host or the API server').to.equal(0);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});

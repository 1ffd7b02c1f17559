import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { portworxClusterStorage } from '../../../lib/sut/portworx/portworx-cluster-storage.js';
import { INSTALLED_BY, isInstalledByHarness } from '../../../lib/sut/postgres-on-k8s/installed-by-marker.js';
import { pxInstallObjects } from '../../../lib/sut/portworx/px-install-objects.js';
import { parsePxSpec, PxSpecError } from '../../../lib/sut/portworx/px-spec-file.js';
import { renderStorageCluster } from '../../../lib/sut/portworx/px-storage-cluster.js';
import { validateManifest } from '../../support/kubernetes-schema.js';
import { pxFixture, pxFixturesMatching } from '../../support/px-fixtures.js';
import { WORKSHOP_SPEC } from '../../support/px-kube-api.js';
import { configSchema } from '../../../lib/pxchaos-config.js';
import type { PortworxSettings } from '../../../lib/sut/portworx/portworx-config.js';

const DEFAULTS: PortworxSettings = configSchema.parse({}).portworx;
const withInstall = (install: Partial<PortworxSettings['install']>): PortworxSettings => ({
  ...DEFAULTS,
  install: { ...DEFAULTS.install, enabled: true, ...install },
});

/**
 * The workshop's spec as a user would give it, minus what does not parse upstream (SOURCES.md §8:
 * px-lighthouse has a duplicate key): every other document verbatim, in its order.
 */
function workshopSpecThatParses(): string {
  return parseAllDocuments(pxFixture(WORKSHOP_SPEC))
    .filter((d) => d.errors.length === 0 && d.contents !== null)
    .map((d) => d.toString())
    .join('---\n');
}

describe('Portworx install spec', () => {
  it('refuses the workshop spec as recorded, naming the document that is not valid YAML', () => {
    expect(() => parsePxSpec(pxFixture(WORKSHOP_SPEC), 'portworx.yaml'))
      .to.throw(PxSpecError)
      .with.property('message')
      .match(/^portworx\.yaml document \d+ is not valid YAML: /);
  });

  it("reads the workshop's DaemonSet, RBAC and the rest in file order", () => {
    const objects = parsePxSpec(workshopSpecThatParses(), 'portworx.yaml');
    const names = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    // RBAC before the DaemonSet that runs as its ServiceAccount: the order apply needs.
    for (const before of [
      'ServiceAccount/px-account',
      'ClusterRole/node-get-put-list-role',
      'ClusterRoleBinding/node-role-binding',
    ])
      expect(names.indexOf(before)).to.be.within(0, names.indexOf('DaemonSet/portworx'));
    const ds = objects.find(
      (o) => o.kind === 'DaemonSet' && o.metadata?.name === 'portworx',
    ) as KubernetesObject & {
      spec: { template: { spec: { containers: { name: string; image: string; args: string[] }[] } } };
    };
    expect(ds.metadata?.namespace).to.equal('kube-system');
    const px = ds.spec.template.spec.containers.find((c) => c.name === 'portworx')!;
    expect(px.image).to.equal('portworx/oci-monitor:2.5.1');
    expect(px.args).to.include('-b');
    // Every document of the file that parses became an object (none dropped, none invented).
    const docs = parseAllDocuments(pxFixture(WORKSHOP_SPEC)).filter(
      (d) => d.errors.length === 0 && d.toJS() !== null,
    );
    expect(objects).to.have.length(docs.length);
  });

  for (const file of pxFixturesMatching(/^daemonset-.*\.yaml$/))
    it(`${file}: every document parses whole or the spec is refused in one line`, () => {
      try {
        const objects = parsePxSpec(pxFixture(file), file);
        expect(objects.some((o) => o.kind === 'DaemonSet')).to.equal(true);
      } catch (err) {
        expect(err).to.be.instanceOf(PxSpecError);
        expect((err as Error).message).to.match(new RegExp(`^${file.replace(/\./g, '\\.')} document \\d+ `));
        expect((err as Error).message).not.to.include('\n');
      }
    });

  it('refuses a document without kind, and unpacks a List; empty documents are skipped', () => {
    expect(() => parsePxSpec('apiVersion: v1\nmetadata: {name: x}\n', 's.yaml')).to.throw(
      's.yaml document 1 has no kind',
    );
    expect(() => parsePxSpec('---\n---\n', 's.yaml')).to.throw('s.yaml holds no Kubernetes objects');
    const list = parsePxSpec(
      stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a' } }],
      }),
      's.yaml',
    );
    expect(list.map((o) => o.metadata?.name)).to.deep.equal(['a']);
  });

  it('marks every object of a spec file so uninstall can tell it from a user’s PX', () => {
    const dir = mkdtempSync(join(tmpdir(), 'px-spec-'));
    const file = join(dir, 'portworx.yaml');
    writeFileSync(file, workshopSpecThatParses());
    const install = pxInstallObjects(withInstall({ specFile: file }), ['n1']);
    expect(install.source).to.equal(`spec file ${file}`);
    expect(install.objects.length).to.be.greaterThan(5);
    for (const o of install.objects)
      expect(isInstalledByHarness(o), `${o.kind} ${o.metadata?.name}`).to.equal(true);
    expect(() => pxInstallObjects(withInstall({ specFile: join(dir, 'missing.yaml') }), ['n1'])).to.throw(
      /cannot be read \(ENOENT\)/,
    );
  });
});

describe('Portworx StorageCluster from config', () => {
  it('names each node’s dm device by its node name, and the internal KVDB (the CRD check: px-storage-cluster-crd.test.ts)', () => {
    const sc = renderStorageCluster(
      withInstall({ clusterName: 'px-lab', image: 'portworx/oci-monitor:2.5.5' }).install,
      DEFAULTS.loopDevices,
      ['w1', 'w2', 'w3'],
    );
    expect(sc.metadata).to.deep.equal({ name: 'px-lab', namespace: 'kube-system' });
    expect(sc.spec.kvdb).to.deep.equal({ internal: true });
    expect(sc.spec.nodes).to.deep.equal(
      ['w1', 'w2', 'w3'].map((n) => ({
        selector: { nodeName: n },
        storage: { devices: [`/dev/mapper/pxchaos-px-${n}`] },
      })),
    );
  });

  it('refuses without the dm layer: the loop device is chosen on the node', () => {
    expect(() =>
      renderStorageCluster(DEFAULTS.install, { ...DEFAULTS.loopDevices, deviceMapper: false }, ['w1']),
    ).to.throw(/deviceMapper: true/);
  });

  it('is part of the cluster storage only when portworx.install.enabled, uninstalled the Operator’s way', () => {
    expect(portworxClusterStorage(DEFAULTS, 'portworx-replicated')).not.to.have.property('install');
    const storage = portworxClusterStorage(withInstall({}), 'portworx-replicated');
    const install = storage.install!;
    expect(install.objects.map((o) => o.kind)).to.deep.equal(['StorageCluster']);
    expect(install.objects[0]!.metadata?.annotations?.[INSTALLED_BY]).to.equal('pxchaos');
    expect(install.uninstall.map((s) => s.step)).to.deep.equal([
      'only when the objects carry the annotation pxchaos.io/installed-by=pxchaos; otherwise nothing is done',
      `set spec.deleteStrategy.type: UninstallAndWipe on StorageCluster kube-system/pxchaos (kubectl -n kube-system patch storagecluster pxchaos --type merge -p '{"spec":{"deleteStrategy":{"type":"UninstallAndWipe"}}}')`,
      'delete StorageCluster kube-system/pxchaos and wait until it is gone (the Operator stops PX, wipes its drives and /etc/pwx, /opt/pwx on every node, then lets it go), printing status.phase and its Delete condition; at most 10m00s',
    ]);
    // No px/enabled label, no node command: the Operator's node wiper does it.
    expect(install.uninstall.some((s) => s.argv)).to.equal(false);
    // The StorageCluster is a CRD: only its metadata can be checked against Kubernetes' rules.
    expect(() => validateManifest(install.objects[0])).to.throw(
      'no schema for core.libopenstorage.org/v1/StorageCluster',
    );
  });
});

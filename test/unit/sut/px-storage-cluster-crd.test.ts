import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { renderStorageCluster } from '../../../lib/sut/portworx/px-storage-cluster.js';
import { crdProblems, type Crd, type CrdSchema } from '../../support/crd-schema.js';
import { configSchema } from '../../../lib/pxchaos-config.js';
import type { PortworxSettings } from '../../../lib/sut/portworx/portworx-config.js';

/** The Operator's StorageCluster CRD, trimmed (test/fixtures/portworx-operator/SOURCES.md). */
const CRD = parse(
  readFileSync(
    new URL('../../fixtures/portworx-operator/storagecluster-crd-v1-excerpt.yaml', import.meta.url),
    'utf8',
  ),
) as Crd;
const DEFAULTS: PortworxSettings = configSchema.parse({}).portworx;
const v1 = (): CrdSchema => CRD.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema;
const at = (path: string): CrdSchema | undefined =>
  path.split('.').reduce<CrdSchema | undefined>((s, k) => (k === '[]' ? s?.items : s?.properties?.[k]), v1());

describe('Portworx StorageCluster against the Operator’s CRD', () => {
  it('the CRD serves v1 only: v1alpha1 is served: false (operator ≥ 1.6), so an apply of it is refused', () => {
    expect(CRD.spec.group).to.equal('core.libopenstorage.org');
    expect(
      CRD.spec.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage })),
    ).to.deep.equal([
      { name: 'v1', served: true, storage: true },
      { name: 'v1alpha1', served: false, storage: false },
    ]);
  });

  it('states the CRD’s fields pxchaos relies on', () => {
    // Rendered by the install.
    expect(at('spec.image')?.type).to.equal('string');
    expect(at('spec.kvdb.internal')?.type).to.equal('boolean');
    expect(at('spec.storage.devices.[]')?.type).to.equal('string');
    expect(at('spec.nodes.[].selector.nodeName')?.type).to.equal('string');
    expect(at('spec.nodes.[].storage.devices.[]')?.type).to.equal('string');
    // Patched by the uninstall, and read while the Operator uninstalls.
    expect(at('spec.deleteStrategy.type')?.enum).to.deep.equal(['Uninstall', 'UninstallAndWipe']);
    expect(at('status.phase')?.type).to.equal('string');
    expect(Object.keys(at('status.conditions.[]')?.properties ?? {})).to.include.members([
      'source',
      'type',
      'status',
      'message',
    ]);
  });

  it('the rendered StorageCluster is a served version and every field is the CRD’s, with its type', () => {
    const sc = renderStorageCluster(
      { ...DEFAULTS.install, enabled: true, clusterName: 'px-lab', image: 'portworx/oci-monitor:3.1.0' },
      DEFAULTS.loopDevices,
      ['w1', 'w2', 'w3'],
    );
    expect(sc.apiVersion).to.equal('core.libopenstorage.org/v1');
    expect(crdProblems(sc, CRD)).to.deep.equal([]);
    expect(sc.spec.nodes.map((n) => [n.selector.nodeName, n.storage.devices])).to.deep.equal([
      ['w1', ['/dev/mapper/pxchaos-px-w1']],
      ['w2', ['/dev/mapper/pxchaos-px-w2']],
      ['w3', ['/dev/mapper/pxchaos-px-w3']],
    ]);
  });

  it('the check itself: an unserved version, a wrong type, an unknown field and a bad enum are named', () => {
    const sc = renderStorageCluster(DEFAULTS.install, DEFAULTS.loopDevices, ['w1']);
    expect(crdProblems({ ...sc, apiVersion: 'core.libopenstorage.org/v1alpha1' }, CRD)).to.deep.equal([
      'core.libopenstorage.org/v1alpha1 is not served (served: v1)',
    ]);
    const bad = {
      ...sc,
      spec: { ...sc.spec, kvdb: { internal: 'yes' }, replicas: 3, deleteStrategy: { type: 'Wipe' } },
    };
    expect(crdProblems(bad, CRD)).to.deep.equal([
      'spec.kvdb.internal: string, the schema wants boolean',
      'spec.replicas: not in the schema (the API server drops it)',
      'spec.deleteStrategy.type: "Wipe" is not one of Uninstall, UninstallAndWipe',
    ]);
  });
});

import { expect } from 'chai';
import { configInTempDir } from '../../support/config-in-temp-dir.js';

describe('config: kube section', () => {
  const { load, errorOf } = configInTempDir('pxchaos-kube-config-');

  it('has defaults without a kube section; driver-dependent settings stay unset', async () => {
    const { kube } = await load('');
    expect(kube.namespacePrefix).to.be.a('string').and.not.equal('');
    expect(kube.storageSize).to.equal('1Gi');
    expect(kube.tolerationMs).to.be.a('number').and.be.at.least(0);
    expect(kube.resources.memoryLimit).to.be.a('string');
    for (const unset of [kube.sut, kube.image, kube.storageClass, kube.schedulerName, kube.nodePort])
      expect(unset).to.equal(undefined);
  });

  it('reads every key, durations in whole seconds to ms', async () => {
    const { kube } = await load(
      [
        'kube:',
        '  sut: portworx',
        '  namespacePrefix: chaos',
        '  image: postgres:16',
        '  storageClass: px-db',
        '  storageSize: 5Gi',
        '  schedulerName: stork',
        '  tolerationSeconds: 2m',
        '  nodePort: 30432',
        "  nodeSelector: { 'px/enabled': 'true' }",
        '  resources: { cpuLimit: 500m }',
      ].join('\n'),
    );
    expect(kube).to.include({
      sut: 'portworx',
      namespacePrefix: 'chaos',
      storageSize: '5Gi',
      tolerationMs: 120_000,
    });
    expect(kube.nodeSelector).to.deep.equal({ 'px/enabled': 'true' });
    expect(kube.resources.cpuLimit).to.equal('500m');
  });

  it('is overridable from the environment', async () => {
    const { kube } = await load('kube: { storageClass: a }', {
      PXCHAOS_KUBE_STORAGE_CLASS: 'b',
      PXCHAOS_KUBE_RESOURCES_MEMORY_LIMIT: '1Gi',
    });
    expect(kube.storageClass).to.equal('b');
    expect(kube.resources.memoryLimit).to.equal('1Gi');
  });

  it('names the bad key and the form expected', async () => {
    const cases: [string, RegExp][] = [
      ['kube: { sut: ceph }', /kube\.sut .*expected one of: gluster, portworx/],
      ['kube: { storageSize: 1GB }', /kube\.storageSize .*Kubernetes quantity/],
      ['kube: { tolerationSeconds: 1500ms }', /kube\.tolerationSeconds .*whole seconds/],
      ['kube: { tolerationSeconds: 30 }', /kube\.tolerationSeconds .*with a unit/],
      ['kube: { namespacePrefix: Chaos_Runs }', /kube\.namespacePrefix .*lowercase/],
      ['kube: { nodePort: 80 }', /kube\.nodePort .*30000 to 32767/],
      ['kube: { imagePullPolicy: sometimes }', /Always, IfNotPresent or Never/],
      ["kube: { nodeSelector: { 'a b': x } }", /label key/],
      ['kube: { storgeClass: x }', /kube\.storgeClass.*unknown key/],
    ];
    for (const [text, pattern] of cases) expect(await errorOf(text), text).to.match(pattern);
  });
});

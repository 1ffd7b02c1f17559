import { expect } from 'chai';
import path from 'node:path';
import { configInTempDir } from '../../support/config-in-temp-dir.js';
import { DEFAULT_LOOP_DEVICE_SETTINGS } from '../../../lib/sut/portworx/loop-device-settings.js';

describe('config: portworx section', () => {
  const { load, errorOf } = configInTempDir('pxchaos-portworx-config-');

  it('defaults to the workshop-style loop devices with a device-mapper layer, not provisioned unless enabled', async () => {
    const { portworx } = await load('');
    expect(portworx.loopDevices).to.deep.equal({ enabled: false, ...DEFAULT_LOOP_DEVICE_SETTINGS });
  });

  it('reads every key; the directory is a node path, kept as written (not resolved locally)', async () => {
    const { portworx } = await load(
      [
        'portworx:',
        '  loopDevices:',
        '    enabled: true',
        '    namespace: portworx',
        "    directory: /srv/px chaos/it's",
        '    size: 20G',
        '    deviceMapper: false',
        '    image: registry.example/pause:3.10',
        '    initImage: registry.example/busybox:1.37',
      ].join('\n'),
    );
    expect(portworx.loopDevices).to.deep.equal({
      enabled: true,
      namespace: 'portworx',
      directory: "/srv/px chaos/it's",
      size: '20G',
      deviceMapper: false,
      image: 'registry.example/pause:3.10',
      initImage: 'registry.example/busybox:1.37',
    });
  });

  it('is overridable from the environment', async () => {
    const { portworx } = await load('', {
      PXCHAOS_PORTWORX_LOOP_DEVICES_SIZE: '30Gi',
      PXCHAOS_PORTWORX_LOOP_DEVICES_DEVICE_MAPPER: 'false',
    });
    expect(portworx.loopDevices).to.include({ size: '30Gi', deviceMapper: false });
  });

  it('names the bad key and the form expected', async () => {
    const cases: [string, RegExp][] = [
      ['portworx: { loopDevices: { size: 10GB } }', /portworx\.loopDevices\.size .*like 10Gi or 20G.*"10GB"/],
      ['portworx: { loopDevices: { size: 100Mi } }', /portworx\.loopDevices\.size .*at least 1Gi/],
      ['portworx: { loopDevices: { directory: var/lib/px } }', /portworx\.loopDevices\.directory .*absolute/],
      ['portworx: { loopDevices: { directory: "/a/../etc" } }', /portworx\.loopDevices\.directory .*"\.\."/],
      ['portworx: { loopDevices: { directory: "/a\\nb" } }', /portworx\.loopDevices\.directory .*newlines/],
      [
        'portworx: { loopDevices: { deviceMapper: yes } }',
        /portworx\.loopDevices\.deviceMapper .*true or false/,
      ],
      [
        'portworx: { loopDevices: { namespace: Kube_System } }',
        /portworx\.loopDevices\.namespace .*lowercase/,
      ],
      ['portworx: { loopDevices: { image: "pause 3.9" } }', /portworx\.loopDevices\.image .*without spaces/],
      ['portworx: { loopDevice: {} }', /portworx\.loopDevice .*unknown key/],
    ];
    for (const [text, pattern] of cases) expect(await errorOf(text), text).to.match(pattern);
  });

  it('portworx.install: off by default; the spec file is resolved against the config file; 15m health budget', async () => {
    const { portworx } = await load('');
    expect(portworx.install).to.deep.equal({
      enabled: false,
      clusterName: 'pxchaos',
      namespace: 'kube-system',
      healthTimeoutMs: 900_000,
    });
    const config = await load(
      'portworx:\n  install: { enabled: true, specFile: specs/portworx.yaml, clusterName: px-lab, healthTimeout: 20m, image: portworx/oci-monitor:2.5.5 }\n',
    );
    expect(config.portworx.install).to.deep.equal({
      enabled: true,
      specFile: path.join(path.dirname(config.source!), 'specs/portworx.yaml'),
      clusterName: 'px-lab',
      namespace: 'kube-system',
      image: 'portworx/oci-monitor:2.5.5',
      healthTimeoutMs: 1_200_000,
    });
    for (const [text, pattern] of [
      ['portworx: { install: { enabled: 1 } }', /portworx\.install\.enabled .*true or false/],
      ['portworx: { install: { clusterName: PX_Lab } }', /portworx\.install\.clusterName .*lowercase/],
      ['portworx: { install: { healthTimeout: 15 } }', /portworx\.install\.healthTimeout .*duration/],
      ['portworx: { install: { healthTimeout: 1s } }', /portworx\.install\.healthTimeout .*at least 10000ms/],
    ] as const)
      expect(await errorOf(text), text).to.match(pattern);
  });
});

import { expect } from 'chai';
import { configInTempDir } from '../../support/config-in-temp-dir.js';
import { DEFAULT_LOOP_DEVICE_SETTINGS } from '../../../lib/sut/portworx/loop-device-settings.js';

describe('config: portworx section', () => {
  const { load, errorOf } = configInTempDir('pxchaos-portworx-config-');

  it('defaults to the workshop-style loop devices with a device-mapper layer', async () => {
    const { portworx } = await load('');
    expect(portworx.loopDevices).to.deep.equal(DEFAULT_LOOP_DEVICE_SETTINGS);
  });

  it('reads every key; the directory is a node path, kept as written (not resolved locally)', async () => {
    const { portworx } = await load(
      [
        'portworx:',
        '  loopDevices:',
        '    namespace: portworx',
        "    directory: /srv/px chaos/it's",
        '    size: 20G',
        '    deviceMapper: false',
        '    image: registry.example/pause:3.10',
        '    initImage: registry.example/busybox:1.37',
      ].join('\n'),
    );
    expect(portworx.loopDevices).to.deep.equal({
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
});

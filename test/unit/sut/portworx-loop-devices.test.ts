import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import {
  LOOP_DEVICE_DAEMONSET,
  loopDeviceDaemonSet,
  loopDeviceDrives,
} from '../../../lib/sut/portworx/loop-device-daemonset.js';
import {
  loopDeviceSetupScript,
  loopDeviceTeardownArgv,
  loopDeviceVariables,
  pxDmName,
} from '../../../lib/sut/portworx/loop-device-script.js';
import {
  DEFAULT_LOOP_DEVICE_SETTINGS,
  loopFileBytes,
  type LoopDeviceSettings,
} from '../../../lib/sut/portworx/loop-device-settings.js';
import { portworxStorageClass } from '../../../lib/sut/portworx/portworx-storage-class.js';
import { PX_CSI_PROVISIONER } from '../../../lib/sut/portworx/px-provisioner.js';
import { validateManifest } from '../../support/kubernetes-schema.js';

/** A directory a careless quoting would break on (word splitting, quote, glob, expansion). */
const HOSTILE_DIR = `/var/lib/px chaos/it's $HOME *`;
const HOSTILE: LoopDeviceSettings = { ...DEFAULT_LOOP_DEVICE_SETTINGS, directory: HOSTILE_DIR };
const NO_DM: LoopDeviceSettings = { ...DEFAULT_LOOP_DEVICE_SETTINGS, deviceMapper: false };

/** `sh -n`: the shell parses the script without running any of it (no losetup here). */
function shellParses(script: string): void {
  for (const shell of ['sh', 'bash']) execFileSync(shell, ['-n', '-c', script], { stdio: 'pipe' });
}

function initContainer(settings: LoopDeviceSettings): V1Container {
  return loopDeviceDaemonSet(settings).spec!.template.spec!.initContainers![0]!;
}

describe('Portworx loop-device DaemonSet', () => {
  for (const [name, settings] of [
    ['defaults', DEFAULT_LOOP_DEVICE_SETTINGS],
    ['no device-mapper layer', NO_DM],
    ['a hostile directory', HOSTILE],
  ] as const) {
    describe(name, () => {
      it('validates against the Kubernetes schema', () => {
        validateManifest(loopDeviceDaemonSet(settings));
      });

      it('runs a script that parses, chrooted into the node, privileged, knowing its node name', () => {
        const init = initContainer(settings);
        expect(init.command?.slice(0, 4)).to.deep.equal(['chroot', '/host', '/bin/sh', '-c']);
        shellParses(init.command![4]!);
        expect(init.securityContext?.privileged).to.equal(true);
        expect(init.env).to.deep.include({
          name: 'NODE_NAME',
          valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
        });
        const spec = loopDeviceDaemonSet(settings).spec!.template.spec!;
        expect(spec.volumes).to.deep.equal([
          { name: 'host-root', hostPath: { path: '/', type: 'Directory' } },
        ]);
        expect(spec.containers.map((c) => c.image)).to.deep.equal([settings.image]);
      });

      it('has a teardown script that parses', () => {
        const argv = loopDeviceTeardownArgv(settings);
        expect(argv.slice(0, 2)).to.deep.equal(['sh', '-c']);
        shellParses(argv[2]!);
      });
    });
  }

  it('is the workshop DaemonSet in kube-system, name and images configurable', () => {
    const ds = loopDeviceDaemonSet({
      ...DEFAULT_LOOP_DEVICE_SETTINGS,
      namespace: 'portworx',
      image: 'registry.example/pause:3.10',
      initImage: 'registry.example/busybox:1.37',
    });
    expect(loopDeviceDaemonSet(DEFAULT_LOOP_DEVICE_SETTINGS).metadata?.namespace).to.equal('kube-system');
    expect(ds.metadata).to.include({ name: LOOP_DEVICE_DAEMONSET, namespace: 'portworx' });
    expect(ds.spec!.template.spec!.containers[0]!.image).to.equal('registry.example/pause:3.10');
    expect(ds.spec!.template.spec!.initContainers![0]!.image).to.equal('registry.example/busybox:1.37');
  });

  it('puts configured values into the script only in its quoted variable lines', () => {
    const vars = loopDeviceVariables(HOSTILE);
    expect(vars).to.include(`DIR='/var/lib/px chaos/it'\\''s $HOME *'`);
    // Run only those lines (they assign variables, nothing else): the shell reads back the exact values.
    const out = execFileSync('sh', ['-c', `${vars}printf '%s\\n' "$DIR" "$SIZE_BYTES" "$DEVICE_MAPPER"`], {
      encoding: 'utf8',
    });
    expect(out).to.equal(`${HOSTILE_DIR}\n10737418240\n1\n`);
    // The rest of the script is the same text whatever the settings: no other place takes a value.
    const body = (s: LoopDeviceSettings) => loopDeviceSetupScript(s).slice(loopDeviceVariables(s).length);
    expect(body(HOSTILE)).to.equal(body(DEFAULT_LOOP_DEVICE_SETTINGS));
    expect(body(NO_DM)).to.equal(body(DEFAULT_LOOP_DEVICE_SETTINGS));
    expect(loopDeviceSetupScript(HOSTILE).startsWith('set -eu\n')).to.equal(true);
  });

  it('does the workshop steps, idempotently, with a loop number the kernel arbitrates', () => {
    const script = loopDeviceSetupScript(DEFAULT_LOOP_DEVICE_SETTINGS);
    for (const step of [
      'if [ ! -f "$FILE" ]',
      'truncate -s "$SIZE_BYTES" "$FILE"',
      'modprobe loop ||',
      'losetup -j "$FILE"',
      'losetup -f',
      'dmsetup create "$DM" --noudevsync --table "0 $(blockdev --getsz "$LOOP") linear $LOOP 0"',
      'if dmsetup info "$DM"',
    ])
      expect(script, step).to.include(step);
    const commands = script.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(commands.join('\n'), 'a fixed loop number').not.to.match(/\/dev\/loop[0-9]/);
  });

  it('reports the device Portworx should use: the dm device, else the loop device the node chose', () => {
    const withDm = loopDeviceDrives(DEFAULT_LOOP_DEVICE_SETTINGS);
    expect(withDm.pxDevice).to.equal(`/dev/mapper/${pxDmName('<node>')}`);
    expect(withDm.pxDeviceRecord).to.equal('/var/lib/pxchaos/px-<node>.device');
    expect(loopDeviceDrives(NO_DM).pxDevice).to.match(/^<the loop device/);
    expect(withDm.teardown.daemonSet).to.deep.equal({
      namespace: 'kube-system',
      name: LOOP_DEVICE_DAEMONSET,
    });
  });

  describe('refuses bad settings with a message naming the value', () => {
    const cases: [Partial<LoopDeviceSettings>, RegExp][] = [
      [{ size: '10GB' }, /size must be a whole number with an optional unit .*"10GB"/],
      [{ size: '1.5Gi' }, /size must be a whole number/],
      [{ size: '-1Gi' }, /size must be a whole number/],
      [{ size: '10Mi' }, /size must be at least 1Gi, got "10Mi"/],
      [{ size: '10Gi; reboot' }, /size must be a whole number/],
      [{ directory: 'var/lib/pxchaos' }, /directory must be an absolute path, got "var\/lib\/pxchaos"/],
      [{ directory: '/var/lib/px\nreboot' }, /directory must not contain newlines/],
      [{ directory: '/var/lib/../../etc' }, /directory must not contain "\.\."/],
      [{ directory: '//' }, /directory must not be \//],
      [{ namespace: 'Kube_System' }, /namespace must be a DNS-1123 label/],
      [{ image: 'pause 3.9' }, /image must be an image reference without spaces/],
    ];
    for (const [bad, message] of cases)
      it(JSON.stringify(bad), () => {
        const settings = { ...DEFAULT_LOOP_DEVICE_SETTINGS, ...bad };
        expect(() => loopDeviceDaemonSet(settings)).to.throw(message);
      });
  });

  it('sizes files in bytes, Kubernetes-style: Gi powers of 1024, G powers of 1000', () => {
    expect(loopFileBytes('10Gi')).to.equal(10n * 1024n ** 3n);
    expect(loopFileBytes('20G')).to.equal(20_000_000_000n);
    expect(loopFileBytes('1Ti')).to.equal(1024n ** 4n);
  });
});

describe('Portworx StorageClass', () => {
  it('is the workshop default class: repl 2, priority_io high, and validates', () => {
    const sc = portworxStorageClass(PX_CSI_PROVISIONER);
    validateManifest(sc);
    expect(sc.metadata?.name).to.equal('portworx-replicated');
    expect(sc.metadata?.annotations).to.deep.equal({ 'storageclass.kubernetes.io/is-default-class': 'true' });
    expect(sc.provisioner).to.equal('pxd.portworx.com');
    expect(sc.parameters).to.deep.equal({ repl: '2', priority_io: 'high' });
  });
});

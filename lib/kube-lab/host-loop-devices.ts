import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HostLoopDevice {
  readonly device: string;
  readonly backingFile: string;
}

/** Parses `losetup --list --noheadings --raw -O NAME,BACK-FILE`. */
export function parseLosetupList(text: string): HostLoopDevice[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [device = '', ...rest] = l.split(/\s+/);
      return { device, backingFile: rest.join(' ').replace(/\s*\(deleted\)$/, '') };
    });
}

/** The host's attached loop devices (the kernel's loop devices are shared by every container). */
export async function hostLoopDevices(): Promise<HostLoopDevice[]> {
  const { stdout } = await run('losetup', ['--list', '--noheadings', '--raw', '-O', 'NAME,BACK-FILE'], {
    timeout: 15_000,
  });
  return parseLosetupList(stdout);
}

/** Loop devices backed by a kube lab's brick files (named pxchaos-brick-<node>.img, node = <lab>-worker…). */
export function kubeLabLoopDevices(devices: readonly HostLoopDevice[], lab: string): HostLoopDevice[] {
  const escaped = lab.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`/pxchaos-brick-${escaped}-(control-plane|worker\\d*)\\.img$`);
  return devices.filter((d) => pattern.test(d.backingFile));
}

export async function detachHostLoopDevice(device: string): Promise<void> {
  await run('losetup', ['-d', device], { timeout: 15_000 });
}

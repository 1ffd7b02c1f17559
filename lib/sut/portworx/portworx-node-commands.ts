import type { DriveCommands } from '../sut.js';

/**
 * Node commands of the Portworx storage driver (docs: ../shared/docs/portworx.md). Not runnable
 * here (Portworx needs real VMs); what `pxchaos plan --sut portworx` prints and a Portworx run uses.
 */

/**
 * A device-mapper device layered over the PX drive at provisioning (`dmsetup create <name> …
 * linear`, portworx.md): suspend = I/O hangs; an `error` table = I/O fails; the saved linear table
 * brings it back. `drive` is the dm name. (Real SCSI disks: portworxScsiDriveCommands.)
 */
export function portworxDriveCommands(drive: string): DriveCommands {
  const saved = `/run/pxchaos-drive-${drive.replace(/[^A-Za-z0-9_.-]/g, '_')}.table`;
  const arg = (script: string): string[] => ['sh', '-c', script, 'pxchaos-drive', drive, saved];
  // A node whose PX drive is not behind the dm layer (real disks, or loop devices set up by hand)
  // refuses the fault in one line rather than failing somewhere in dmsetup.
  const present = `dmsetup info "$1" >/dev/null 2>&1 || { echo "no device-mapper device $1 on this node: drive-offline on Portworx needs the PX drive on pxchaos's loop-device dm layer (portworx.loopDevices.deviceMapper, pxchaos plan --sut portworx)" >&2; exit 1; }`;
  // --noudevsync: kind nodes run no udev, and dmsetup would wait for it forever.
  return {
    hang: arg([present, 'dmsetup suspend --noudevsync "$1"'].join('\n')),
    error: arg(
      [
        present,
        '[ -s "$2" ] || dmsetup table "$1" >"$2" || exit 1',
        'dmsetup reload --noudevsync "$1" --table "0 $(blockdev --getsz "/dev/mapper/$1") error" && dmsetup resume --noudevsync "$1"',
      ].join('\n'),
    ),
    restore: arg(
      [
        'if [ -s "$2" ]; then dmsetup reload --noudevsync "$1" "$2" || exit 1; fi',
        'dmsetup resume --noudevsync "$1" || exit 1',
        'rm -f "$2"',
      ].join('\n'),
    ),
    status: arg('! dmsetup info "$1" | grep -q SUSPENDED && ! dmsetup table "$1" | grep -q " error"'),
  };
}

/**
 * A real SCSI disk PX uses (config `portworx.scsiDrive`): its device state set to `offline` makes
 * every I/O fail, `running` brings it back (portworx.md). A SCSI disk cannot be made to hang: that
 * mode refuses in one line, as does a node without the device. `device` is the kernel name (sdb).
 */
export function portworxScsiDriveCommands(device: string): DriveCommands {
  const arg = (script: string): string[] => ['sh', '-c', script, 'pxchaos-scsi-drive', device];
  const state = 'state="/sys/block/$1/device/state"';
  const present = `[ -w "$state" ] || { echo "no SCSI device state $state on this node: portworx.scsiDrive names a disk this node does not have" >&2; exit 1; }`;
  return {
    hang: arg(
      'echo "a SCSI disk cannot be made to hang: drive-offline on /dev/$1 needs driveMode error" >&2; exit 1',
    ),
    error: arg([state, present, 'echo offline >"$state"'].join('\n')),
    // Idempotent, and a node without the disk has nothing to restore.
    restore: arg([state, '[ ! -e "$state" ] || echo running >"$state"'].join('\n')),
    status: arg([state, '[ ! -e "$state" ] || [ "$(cat "$state")" = running ]'].join('\n')),
  };
}

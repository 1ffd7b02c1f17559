import type { AgentCommands, DriveCommands } from '../sut.js';

/**
 * Node commands of the Portworx storage driver (docs: ../shared/docs/portworx.md). Not runnable
 * here (Portworx needs real VMs); what `pxchaos plan --sut portworx` prints and a Portworx run uses.
 */

const PXCTL = '/opt/pwx/bin/pxctl';

export const PORTWORX_AGENT: AgentCommands = {
  // `systemctl stop`, not `pkill -9 px-storage`: after a crash PX restarts itself, so it could not be
  // held down past its grace window. For PX a stop is still an outage (the px module queues I/O),
  // unlike Patroni where a clean stop is a switchover; Stork's own short-outage test stops it too.
  kill: ['systemctl', 'stop', 'portworx'],
  stop: ['systemctl', 'stop', 'portworx'],
  start: ['systemctl', 'start', 'portworx'],
  status: ['sh', '-c', `${PXCTL} -j status 2>/dev/null | grep -q '"status": *"STATUS_OK"'`],
};

/**
 * A device-mapper device layered over the PX drive at provisioning (`dmsetup create <name> …
 * linear`, portworx.md): suspend = I/O hangs; an `error` table = I/O fails; the saved linear table
 * brings it back. `drive` is the dm name. (Real SCSI disks could use /sys/block/sdX/device/state
 * instead, but cannot hang.)
 */
export function portworxDriveCommands(drive: string): DriveCommands {
  const saved = `/run/pxchaos-drive-${drive.replace(/[^A-Za-z0-9_.-]/g, '_')}.table`;
  const arg = (script: string): string[] => ['sh', '-c', script, 'pxchaos-drive', drive, saved];
  return {
    hang: arg('dmsetup suspend "$1"'),
    error: arg(
      [
        '[ -s "$2" ] || dmsetup table "$1" >"$2" || exit 1',
        'dmsetup reload "$1" --table "0 $(blockdev --getsz "/dev/mapper/$1") error" && dmsetup resume "$1"',
      ].join('\n'),
    ),
    restore: arg(
      [
        'if [ -s "$2" ]; then dmsetup reload "$1" "$2" || exit 1; fi',
        'dmsetup resume "$1" || exit 1',
        'rm -f "$2"',
      ].join('\n'),
    ),
    status: arg('! dmsetup info "$1" | grep -q SUSPENDED && ! dmsetup table "$1" | grep -q " error"'),
  };
}

import { readFileSync } from 'node:fs';
import { shellQuote } from '../../nodes/shell-quote.js';
import { checkNodeDirectory, loopFileBytes, type LoopDeviceSettings } from './loop-device-settings.js';

/**
 * The node-side shell of the Portworx loop devices: set up by the DaemonSet's init container
 * (chrooted into the node), torn down over node access. Per node (`$NODE_NAME`, the Kubernetes
 * node name): backing file `<directory>/px-<node>.img`, dm device `pxchaos-px-<node>`, and the
 * device Portworx should use recorded in `<directory>/px-<node>.device`. The node name is in every
 * name because on kind all nodes share one kernel (one set of loop and dm devices), and a file
 * name that differs per node keeps `losetup -j` from matching another node's file by its name.
 * The script bodies are plain shell files next to this one (readable, `sh -n`-checkable).
 */

export const DM_PREFIX = 'pxchaos-px-';

/** The device-mapper name of a node's PX drive (what portworxDriveCommands takes). */
export function pxDmName(node: string): string {
  return `${DM_PREFIX}${node}`;
}

/** Where each node records the device Portworx should use (one line: the path). */
export function pxDeviceRecord(directory: string, node: string): string {
  return `${checkNodeDirectory(directory)}/px-${node}.device`;
}

/**
 * The only lines where configured values enter the scripts, each one validated and shell-quoted;
 * the bodies after them only read variables.
 */
export function loopDeviceVariables(settings: LoopDeviceSettings): string {
  return [
    // The container's PATH carries over the chroot; the node's tools may live in sbin.
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'export PATH',
    `DIR=${shellQuote(checkNodeDirectory(settings.directory))}`,
    `SIZE_BYTES=${shellQuote(loopFileBytes(settings.size).toString())}`,
    `DEVICE_MAPPER=${shellQuote(settings.deviceMapper ? '1' : '0')}`,
    `DM_PREFIX=${shellQuote(DM_PREFIX)}`,
    '',
  ].join('\n');
}

const body = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');

/**
 * The init container's script: backing file, loop device, optional dm layer; idempotent. `-e`: a
 * failed step stops the init container (kubelet retries it) rather than going on with half a drive.
 */
export function loopDeviceSetupScript(settings: LoopDeviceSettings): string {
  return `set -eu\n${loopDeviceVariables(settings)}${body('./loop-device-setup.sh')}`;
}

/**
 * Undoes the setup on one node, run as root over node access (on kind: in the node container) after
 * the DaemonSet is deleted (or a restarted pod would attach again) and Portworx is uninstalled.
 */
export function loopDeviceTeardownArgv(settings: LoopDeviceSettings): string[] {
  // No -e: one busy device must not keep the other files from being removed.
  return ['sh', '-c', `set -u\n${loopDeviceVariables(settings)}${body('./loop-device-teardown.sh')}`];
}

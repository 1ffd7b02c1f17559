/**
 * Settings of the workshop-style loop devices Portworx gets as drives (portworx.md, "Install with
 * loop devices"), with the checks shared by the config schema and the DaemonSet renderer: these
 * values end up in a root shell script on every node, so they are validated where they enter.
 */
export interface LoopDeviceSettings {
  /** Namespace of the DaemonSet (the workshop's: kube-system, next to Portworx). */
  readonly namespace: string;
  /** Directory on every node holding the sparse backing files (absolute). */
  readonly directory: string;
  /** Size of each node's backing file, as a Kubernetes quantity (10Gi, 20G). */
  readonly size: string;
  /** Layer a device-mapper linear device over the loop device: the drive fault needs it. */
  readonly deviceMapper: boolean;
  /** The DaemonSet's long-running container: it only keeps the pod (and so the init step) in place. */
  readonly image: string;
  /** The init container's image: it only needs `chroot` and `sh` (the steps run the node's own tools). */
  readonly initImage: string;
}

export const DEFAULT_LOOP_DEVICE_SETTINGS: LoopDeviceSettings = {
  namespace: 'kube-system',
  directory: '/var/lib/pxchaos',
  // The workshop's 10G; sparse, so it costs only what PX writes.
  size: '10Gi',
  deviceMapper: true,
  image: 'registry.k8s.io/pause:3.9',
  initImage: 'busybox:1.36',
};

const UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  K: 1000n,
  M: 1000n ** 2n,
  G: 1000n ** 3n,
  T: 1000n ** 4n,
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  Ti: 1024n ** 4n,
};

/** A typo guard (10M for 10G), not a Portworx figure. */
const MIN_BYTES = 1024n ** 3n;
/** The largest file size Linux can address (off_t). */
const MAX_BYTES = 2n ** 63n - 1n;

/**
 * A backing file size in bytes, from a Kubernetes quantity: Ki/Mi/Gi/Ti are powers of 1024 and
 * K/M/G/T powers of 1000, as everywhere else in the config. The script gets the byte count, so no
 * node tool (GNU or busybox truncate, each with its own suffixes) reinterprets it.
 */
export function loopFileBytes(size: string): bigint {
  const match = /^([1-9][0-9]{0,15})(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(size);
  if (!match)
    throw new Error(
      `loop device size must be a whole number with an optional unit (like 10Gi or 20G; units Ki Mi Gi Ti K M G T), got ${JSON.stringify(size)}`,
    );
  const bytes = BigInt(match[1] ?? '0') * (UNITS[match[2] ?? ''] ?? 1n);
  if (bytes < MIN_BYTES)
    throw new Error(`loop device size must be at least 1Gi, got ${JSON.stringify(size)}`);
  if (bytes > MAX_BYTES)
    throw new Error(`loop device size is too large for a file, got ${JSON.stringify(size)}`);
  return bytes;
}

/**
 * A directory on the nodes: absolute, not `/`, no `..` (teardown deletes files in it), and no
 * control characters (a newline would end a line of the script). Spaces and quotes are fine: the
 * script quotes it.
 */
export function checkNodeDirectory(directory: string): string {
  const problem = !directory.startsWith('/')
    ? 'must be an absolute path'
    : [...directory].some((c) => c < ' ' || c === '\u007f')
      ? 'must not contain newlines or other control characters'
      : directory.split('/').includes('..')
        ? 'must not contain ".."'
        : directory.replace(/\/+$/, '') === ''
          ? 'must not be /'
          : undefined;
  if (problem) throw new Error(`loop device directory ${problem}, got ${JSON.stringify(directory)}`);
  return directory.replace(/\/+$/, '');
}

/** An image reference: it goes into a manifest, not the script, so only emptiness and spaces matter. */
export function checkImageReference(image: string): string {
  if (!/^\S+$/.test(image))
    throw new Error(
      `loop device image must be an image reference without spaces, got ${JSON.stringify(image)}`,
    );
  return image;
}

/** Throws on the first bad value, with a message naming it. */
export function checkLoopDeviceSettings(settings: LoopDeviceSettings): void {
  loopFileBytes(settings.size);
  checkNodeDirectory(settings.directory);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(settings.namespace))
    throw new Error(
      `loop device namespace must be a DNS-1123 label, got ${JSON.stringify(settings.namespace)}`,
    );
  checkImageReference(settings.image);
  checkImageReference(settings.initImage);
}

import type { AgentCommands, DriveCommands } from '../sut.js';

/**
 * Node commands of the local driver. Its volumes live on one loop-backed ext4 filesystem per node
 * (LOCAL_DISK), made by the driver's provisioning, never on the node's own filesystem: freezing that
 * would freeze the node (on the kube lab, the host's). As argv arrays: they are journaled and
 * replayed by `pxchaos heal` and the auto-revert timer.
 */
export const LOCAL_DISK = {
  /** Everything the driver keeps on a node. */
  root: '/var/lib/pxchaos-local',
  /** The sparse backing file of the loop device. */
  image: '/var/lib/pxchaos-local/disk.img',
  /** Where the filesystem is mounted. */
  mount: '/var/lib/pxchaos-local/mnt',
  /** The PersistentVolume's directory on it. */
  volume: '/var/lib/pxchaos-local/mnt/pv',
  /** Says the filesystem is frozen (outside it: a frozen filesystem cannot be asked). */
  frozenMark: '/run/pxchaos-local.frozen',
  size: '2G',
} as const;

/**
 * The agent of local storage is the node's kubelet: it mounts the volume into the pod, reports the
 * node and serves exec and port-forward to its pods (the harness reaches Postgres through it, as
 * `kubectl port-forward` does). Frozen (SIGSTOP) rather than killed: the kube lab restarts an exited
 * kubelet within seconds, as systemd does on a VM, while a frozen one stays down until thawed —
 * the same way the gluster driver freezes its bricks. Postgres itself keeps running.
 */
export const LOCAL_AGENT: AgentCommands = {
  kill: ['pkill', '-STOP', '-x', 'kubelet'],
  stop: ['pkill', '-STOP', '-x', 'kubelet'],
  start: ['pkill', '-CONT', '-x', 'kubelet'],
  // Running and not stopped (ps state T).
  status: ['sh', '-c', 's=$(ps -C kubelet -o stat= | head -n 1); [ -n "$s" ] && [ "${s#T}" = "$s" ]'],
};

/**
 * The drive hangs: `fsfreeze` blocks every write to the volume's filesystem (Postgres' WAL
 * included) until thawed. It cannot fail with errors: without device-mapper nothing can make a
 * mounted filesystem fail and come back under a running pod (the pod keeps its mount of the dead
 * one), so the drive fault runs as `hang` on this driver (error: absent).
 */
export const LOCAL_DRIVE: DriveCommands = {
  hang: [
    'sh',
    '-c',
    'touch "$2" && fsfreeze -f "$1" || { rm -f "$2"; exit 1; }',
    'pxchaos-local-freeze',
    LOCAL_DISK.mount,
    LOCAL_DISK.frozenMark,
  ],
  restore: [
    'sh',
    '-c',
    'if [ -e "$2" ]; then fsfreeze -u "$1" 2>/dev/null; rm -f "$2"; fi; mountpoint -q "$1"',
    'pxchaos-local-thaw',
    LOCAL_DISK.mount,
    LOCAL_DISK.frozenMark,
  ],
  status: [
    'sh',
    '-c',
    'mountpoint -q "$1" || { echo "$1 not mounted" >&2; exit 1; }; [ ! -e "$2" ] || { echo "$1 frozen" >&2; exit 1; }',
    'pxchaos-local-status',
    LOCAL_DISK.mount,
    LOCAL_DISK.frozenMark,
  ],
};

/**
 * Makes the node's disk (idempotent): the sparse file and its ext4 filesystem once, mounted by a
 * loop device the kernel picks (autoclear: detached when unmounted, or when a kube-lab node's
 * mount namespace goes), and the volume's directory on it.
 */
export const LOCAL_DISK_ATTACH: readonly string[] = [
  'sh',
  '-c',
  [
    'set -e',
    'mkdir -p "$3"',
    'if ! mountpoint -q "$3"; then',
    '  if [ ! -f "$2" ]; then truncate -s "$5" "$2"; mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$2"; fi',
    // Another node may take the same free loop number at the same moment: retry.
    '  i=0; until mount -o loop "$2" "$3"; do i=$((i + 1)); [ "$i" -lt 10 ] || exit 1; sleep 0.5; done',
    'fi',
    'mkdir -p "$4"',
  ].join('\n'),
  'pxchaos-local-attach',
  LOCAL_DISK.root,
  LOCAL_DISK.image,
  LOCAL_DISK.mount,
  LOCAL_DISK.volume,
  LOCAL_DISK.size,
];

/** Empties the volume's directory for its next claim (a Released volume, recycled). */
export const LOCAL_VOLUME_WIPE: readonly string[] = [
  'sh',
  '-c',
  'mountpoint -q "$1" && find "$2" -mindepth 1 -delete',
  'pxchaos-local-wipe',
  LOCAL_DISK.mount,
  LOCAL_DISK.volume,
];

/** Unmounts the disk (thawed first) and removes what the driver put on the node; prints `removed` if anything was. */
export const LOCAL_DISK_REMOVE: readonly string[] = [
  'sh',
  '-c',
  [
    '[ -e "$1" ] || exit 0',
    'if [ -e "$3" ]; then fsfreeze -u "$2" 2>/dev/null; rm -f "$3"; fi',
    '! mountpoint -q "$2" || umount "$2"',
    'rm -rf "$1" && echo removed',
  ].join('\n'),
  'pxchaos-local-remove',
  LOCAL_DISK.root,
  LOCAL_DISK.mount,
  LOCAL_DISK.frozenMark,
];

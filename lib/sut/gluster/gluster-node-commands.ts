import type { AgentCommands, DriveCommands } from '../sut.js';

/**
 * Node commands of the gluster storage driver on a kube-lab worker. The agent is the node's brick
 * processes (`glusterfsd`, one per volume; glusterd, the management daemon, stays up), the drive its
 * brick filesystem behind the bindfs passthrough (`pxkube-brick`, lib/kube-lab/image/node). As
 * argv arrays: they are journaled and replayed by `pxchaos heal` and the auto-revert timer.
 */

const gluster = 'gluster --mode=script';
/**
 * Launches an index self-heal on every volume (what an admin runs after a partition or a restart):
 * the self-heal daemon otherwise may leave entries to its 10-minute crawl (measured: it never saw a
 * frozen brick go down, and left 2 entries pending).
 * `onFailure` runs when a volume's launch fails (glusterd still reconnecting to its peers, or
 * another gluster command holding the volume's lock).
 */
const launchHeal = (onFailure: string): string =>
  `for v in $(${gluster} volume list); do ${gluster} volume heal "$v" >/dev/null 2>&1 || ${onFailure}; done`;
/** glusterd respawns any brick of a started volume that is not running (a no-op for running ones); then a heal. */
const restartBricks = `for v in $(${gluster} volume list); do ${gluster} volume start "$v" force >/dev/null || exit 1; done; ${launchHeal('true')}`;
const BINDFS_PID = '/run/pxkube/bindfs.pid';

/**
 * The agent fault freezes the node's bricks (SIGSTOP) rather than killing them. A killed brick's
 * sockets are closed by the kernel: every client drops it at once and the grace window never comes
 * into play. A frozen brick keeps its connections open and answers nothing, which is what
 * Gluster's grace window is for: clients wait `network.ping-timeout` (42 s, Gluster's default) before
 * they drop it — the analogue of Portworx's I/O queueing while PX restarts. `start` thaws them and
 * respawns any brick that is not running.
 */
export const GLUSTER_AGENT: AgentCommands = {
  kill: ['pkill', '-STOP', '-x', 'glusterfsd'],
  stop: ['pkill', '-STOP', '-x', 'glusterfsd'],
  start: ['sh', '-c', `pkill -CONT -x glusterfsd; ${restartBricks}`],
  // Healthy when at least as many bricks run, none of them stopped, as this node holds (by its addresses).
  status: [
    'sh',
    '-c',
    [
      'n=0',
      `for ip in $(hostname -I); do n=$((n + $(${gluster} volume info | grep -c "^Brick[0-9]*: $ip:"))); done`,
      "r=$(ps -C glusterfsd -o stat= | grep -vc '^T' || true)",
      '[ "$r" -ge "$n" ] || { echo "$r of $n bricks running" >&2; exit 1; }',
    ].join('\n'),
  ],
};

/**
 * The heal launch on its own, exit 1 when a volume's launch failed: SUT settle runs it while the
 * replicas are not in sync, on one node after the other until a launch succeeds.
 */
export const GLUSTER_LAUNCH_HEAL: readonly string[] = ['sh', '-c', `rc=0; ${launchHeal('rc=1')}; exit $rc`];

/**
 * Exits 1 while any volume has entries waiting for self-heal (writes a brick missed while it was
 * frozen, cut off or its drive failed), or while a brick does not answer the count, naming them on
 * stderr: the storage is not settled until its replicas agree again. `heal-count` reads the bricks'
 * index, without crawling. Every brick must answer: run on a node just back from a partition,
 * before its peers reconnect, the count covers its own brick only (measured: 0 while 1012 entries
 * were pending on the two others).
 */
export const GLUSTER_HEAL_PENDING: readonly string[] = [
  'sh',
  '-c',
  [
    'bad=',
    `volumes=$(${gluster} volume list 2>/dev/null) || { echo "gluster volume list failed (is glusterd up?)" >&2; exit 1; }`,
    'for v in $volumes; do',
    `  want=$(${gluster} volume info "$v" 2>/dev/null | grep -c '^Brick[0-9]*:')`,
    '  [ "$want" -gt 0 ] || { bad="$bad $v: no volume info;"; continue; }',
    `  set -- $(${gluster} volume heal "$v" statistics heal-count 2>/dev/null | awk '/^Number of entries: [0-9]+$/ {n++; if ($4 > m) m = $4} END {print n + 0, m + 0}')`,
    '  if [ "$1" -lt "$want" ]; then bad="$bad $v: no count from $(($want - $1)) of $want bricks;"',
    '  elif [ "$2" -gt 0 ]; then bad="$bad $v: $2 entries pending self-heal;"; fi',
    'done',
    // The count is the most entries any brick indexes (the bricks that stayed up both list each one).
    '[ -z "$bad" ] || { echo "replicas not in sync:${bad%;}" >&2; exit 1; }',
  ].join('\n'),
];

/**
 * The drive fails the way the Patroni lab's does (docs/kube-lab.md): SIGKILL of the bindfs daemon =
 * a removed drive (I/O fails: "Transport endpoint is not connected"), SIGSTOP = a hung one.
 * `pxkube-brick detach` is not used: a lazy unmount under running bricks lets their open files work on.
 * The restore remounts the drive and, when it had failed, restarts the bricks (theirs still point
 * at the dead mount).
 */
export const GLUSTER_DRIVE: DriveCommands = {
  hang: ['sh', '-c', `kill -STOP "$(cat ${BINDFS_PID})"`],
  error: ['sh', '-c', `kill -KILL "$(cat ${BINDFS_PID})"`],
  restore: [
    'sh',
    '-c',
    [
      `pid=$(cat ${BINDFS_PID} 2>/dev/null) && kill -CONT "$pid" 2>/dev/null`,
      'pxkube-brick status >/dev/null && exit 0',
      'pxkube-brick attach || exit 1',
      'pkill -KILL -x glusterfsd',
      restartBricks,
    ].join('\n'),
  ],
  status: ['pxkube-brick', 'status'],
};

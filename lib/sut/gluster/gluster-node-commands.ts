import type { AgentCommands, DriveCommands } from '../sut.js';

/**
 * Node commands of the gluster storage driver on a kube-lab worker. The agent is the node's brick
 * processes (`glusterfsd`, one per volume; glusterd, the management daemon, stays up), the drive its
 * brick filesystem behind the bindfs passthrough (`pxkube-brick`, lib/kube-lab/image/node). As
 * argv arrays: they are journaled and replayed by `pxchaos heal` and the auto-revert timer.
 */

const gluster = 'gluster --mode=script';
/** glusterd respawns any brick of a started volume that is not running; a no-op for running ones. */
const restartBricks = `for v in $(${gluster} volume list); do ${gluster} volume start "$v" force >/dev/null || exit 1; done`;
const BINDFS_PID = '/run/pxkube/bindfs.pid';

export const GLUSTER_AGENT: AgentCommands = {
  // SIGKILL: a crash, no clean disconnect; the clients notice after network.ping-timeout (42 s).
  kill: ['pkill', '-KILL', '-x', 'glusterfsd'],
  stop: ['pkill', '-TERM', '-x', 'glusterfsd'],
  start: ['sh', '-c', restartBricks],
  // Healthy when at least as many brick processes run as this node holds bricks (by its addresses).
  status: [
    'sh',
    '-c',
    [
      'n=0',
      `for ip in $(hostname -I); do n=$((n + $(${gluster} volume info | grep -c "^Brick[0-9]*: $ip:"))); done`,
      'r=$(pgrep -xc glusterfsd || true)',
      '[ "$r" -ge "$n" ] || { echo "$r of $n bricks running" >&2; exit 1; }',
    ].join('\n'),
  ],
};

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

/**
 * How a command reaches the node's host from a helper pod (lib/nodes/pod/): `nsenter` into PID 1's
 * namespaces (the helper runs with hostPID, so PID 1 is the node's init), then a fixed shell that
 * moves itself into PID 1's cgroups in every mounted hierarchy before it execs the command.
 *
 * Why the cgroups: a process exec'd in a pod stays in the helper container's cgroups, and both the
 * container runtime (killing a hostPID container's cgroup when its init exits) and the kubelet
 * (killing a deleted pod's cgroup) would kill what it left running — the fault's auto-revert
 * timer, a FUSE daemon a restore started. Joined to PID 1's cgroups, they live as long as the node,
 * as they do under `docker exec` or SSH.
 *
 * The command stays an argv: it arrives as the shell's "$@", never inside the script's text.
 */
export function hostExecArgv(argv: readonly string[]): string[] {
  return [
    'nsenter',
    '--target',
    '1',
    '--mount',
    '--uts',
    '--ipc',
    '--net',
    '--pid',
    '--cgroup',
    '--',
    'sh',
    '-c',
    JOIN_PID1_CGROUPS,
    HOST_EXEC_NAME,
    ...argv,
  ];
}

/** `$0` of the joining shell, and the prefix of its own error lines. */
export const HOST_EXEC_NAME = 'pxchaos-node';

/**
 * Lists `<mountpoint><path>/cgroup.procs` of PID 1's cgroup in every cgroup hierarchy mounted here:
 * /proc/1/cgroup gives "id:controllers:path" (controllers empty for cgroup v2), mountinfo gives each
 * cgroup mount's root, mount point and controllers (its super options). A mount rooted below PID
 * 1's cgroup (a pod's own view) cannot reach it and is skipped.
 */
const LIST_PID1_CGROUPS = String.raw`awk '
NR == FNR {
  i = index($0, ":"); rest = substr($0, i + 1); j = index(rest, ":")
  want[substr(rest, 1, j - 1)] = substr(rest, j + 1); next
}
{
  for (s = 7; s <= NF && $s != "-"; s++) {}
  fs = $(s + 1); if (fs != "cgroup" && fs != "cgroup2") next
  root = $4; mnt = $5; n = split($(s + 3), opt, ",")
  for (c in want) {
    if (fs == "cgroup2") { if (c != "") continue }
    else {
      if (c == "") continue
      m = split(c, need, ","); ok = 1
      for (k = 1; k <= m; k++) { found = 0; for (o = 1; o <= n; o++) if (opt[o] == need[k]) found = 1; if (!found) ok = 0 }
      if (!ok) continue
    }
    p = want[c]
    if (root != "/") { if (index(p "/", root "/") != 1) continue; p = substr(p, length(root) + 1) }
    if (p == "/") p = ""
    print mnt p "/cgroup.procs"
  }
}' /proc/1/cgroup /proc/self/mountinfo`;

/** The joining shell: every hierarchy joined, or it fails naming the one it could not join. */
export const JOIN_PID1_CGROUPS = `files=$(${LIST_PID1_CGROUPS}) || exit 125
[ -n "$files" ] || { echo "${HOST_EXEC_NAME}: found no cgroup hierarchy of PID 1 to join" >&2; exit 125; }
IFS='
'
for f in $files; do
  echo $$ 2>/dev/null >"$f" || { echo "${HOST_EXEC_NAME}: cannot join PID 1's cgroup $f" >&2; exit 125; }
done
unset IFS
exec "$@"`;

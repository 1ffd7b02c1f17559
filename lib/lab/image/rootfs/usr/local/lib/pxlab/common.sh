# Shared paths and helpers of the pxlab node scripts (sourced, not run).
PXLAB_RUN=/run/pxlab
PXLAB_LOG=/var/log/pxlab
# The "drive": real bytes live in DISK (a Docker volume); Postgres sees them through the FUSE passthrough at DATA.
PXLAB_DISK=/var/lib/pxlab/disk
PXLAB_DATA=/var/lib/pxlab/data
PXLAB_PGDATA=$PXLAB_DATA/pg
PXLAB_PATRONI_CONF=/etc/patroni/patroni.yml
# One line: the Patroni script pxlab-agent runs (written by pxlab-entrypoint).
PXLAB_PATRONI_LAUNCHER=/etc/patroni/launcher
PATRONI_PIDFILE=$PXLAB_RUN/patroni.pid
BINDFS_PIDFILE=$PXLAB_RUN/bindfs.pid

mkdir -p "$PXLAB_RUN" "$PXLAB_LOG"

# Prints the pid recorded in $1 if that process is alive and its command line contains $2.
pxlab_live_pid() {
  local pidfile=$1 needle=$2 pid
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$needle" || return 1
  # A zombie is dead for our purposes.
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  echo "$pid"
}

# Process state letter (R, S, D, T, Z...) of a pid.
pxlab_proc_state() {
  awk '{print $3}' "/proc/$1/stat" 2>/dev/null
}

pxlab_die() {
  echo "$*" >&2
  exit 2
}

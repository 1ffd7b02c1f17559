# pxchaos: this node's Portworx drive on a loop device (the workshop's steps), idempotent.
# Set before this point (validated and quoted by loop-device-script.ts): DIR, SIZE_BYTES,
# DEVICE_MAPPER, DM_PREFIX; NODE_NAME from the downward API.
say() { echo "pxchaos-px-loop: $*"; }
fail() { echo "pxchaos-px-loop: $*" >&2; exit 1; }
case ${NODE_NAME:-} in
  "" | *[!a-z0-9.-]*) fail "NODE_NAME must be the Kubernetes node name (downward API), got \"${NODE_NAME:-}\"" ;;
esac
FILE=$DIR/px-$NODE_NAME.img
RECORD=$DIR/px-$NODE_NAME.device
DM=$DM_PREFIX$NODE_NAME
for tool in truncate losetup mknod; do
  command -v "$tool" >/dev/null || fail "$tool not found on this node"
done
majmin() { cat "/sys/block/${1##*/}/dev"; }
# kind: a node's /dev is its own tmpfs, filled when the node container started; a loop device the
# kernel creates later has no device file there yet.
ensure_node() {
  [ -b "$1" ] && return 0
  mm=$(majmin "$1") || return 1
  mknod "$1" b "${mm%%:*}" "${mm#*:}" 2>/dev/null || [ -b "$1" ]
}
mkdir -p "$DIR"
if [ ! -f "$FILE" ]; then
  say "creating $FILE ($SIZE_BYTES bytes, sparse)"
  truncate -s "$SIZE_BYTES" "$FILE"
fi
if ! grep -q "^ *[0-9]* loop\$" /proc/devices; then
  modprobe loop || say "modprobe loop failed; going on (loop may be built into the kernel)"
fi
# A restarted pod finds the loop device it attached before.
LOOP=$(losetup -j "$FILE" | cut -d: -f1 | head -n 1)
if [ -n "$LOOP" ]; then
  ensure_node "$LOOP"
  say "$FILE is already on $LOOP"
else
  # No fixed number (the workshop's /dev/loop4 may be taken, by snaps for one) and no lock (kind
  # nodes share the kernel's loop devices but no filesystem a lock file could live on): the kernel
  # arbitrates. Binding a device another node took first fails (EBUSY); the next losetup -f then
  # returns a number past the winner's, so the retry does not collide with it again.
  tries=0
  until LOOP=$(losetup -f) && ensure_node "$LOOP" && losetup "$LOOP" "$FILE"; do
    tries=$((tries + 1))
    [ "$tries" -lt 10 ] || fail "could not attach $FILE to a free loop device in 10 tries"
    sleep 1
  done
  say "attached $FILE to $LOOP"
fi
DEVICE=$LOOP
if [ "$DEVICE_MAPPER" = 1 ]; then
  for tool in dmsetup blockdev; do
    command -v "$tool" >/dev/null ||
      fail "$tool not found on this node: install the device-mapper tools, or set portworx.loopDevices.deviceMapper: false"
  done
  [ "${#DM}" -le 127 ] || fail "device-mapper name $DM is longer than 127 characters"
  want=$(majmin "$LOOP")
  if dmsetup info "$DM" >/dev/null 2>&1; then
    table=$(dmsetup table "$DM")
    case $table in
      *" linear $want 0") say "$DM already maps $LOOP" ;;
      *" error") say "$DM has an error table (a drive fault is in force): left to the fault's restore" ;;
      *) fail "$DM exists but does not map $LOOP ($want): $table" ;;
    esac
  else
    # --noudevsync: kind nodes run no udev, and dmsetup would wait for it forever.
    dmsetup create "$DM" --noudevsync --table "0 $(blockdev --getsz "$LOOP") linear $LOOP 0"
    say "created /dev/mapper/$DM over $LOOP"
  fi
  dmsetup mknodes "$DM"
  DEVICE=/dev/mapper/$DM
fi
printf '%s\n' "$DEVICE" >"$RECORD.tmp"
mv "$RECORD.tmp" "$RECORD"
say "Portworx drive of $NODE_NAME: $DEVICE (recorded in $RECORD)"

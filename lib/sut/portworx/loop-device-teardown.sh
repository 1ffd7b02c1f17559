# pxchaos: undo loop-device-setup.sh on this node, for every backing file in DIR (on kind: the
# node's own). Run after the DaemonSet is deleted and Portworx uninstalled. Goes on past a busy
# device and exits 1 if anything was kept; idempotent.
# Set before this point (validated and quoted by loop-device-script.ts): DIR, DM_PREFIX.
status=0
for FILE in "$DIR"/px-*.img; do
  [ -f "$FILE" ] || continue
  NODE=${FILE##*/px-}
  NODE=${NODE%.img}
  DM=$DM_PREFIX$NODE
  if command -v dmsetup >/dev/null && dmsetup info "$DM" >/dev/null 2>&1; then
    # A hung-drive fault leaves the device suspended, and a suspended device cannot be removed.
    dmsetup resume --noudevsync "$DM" 2>/dev/null
    if ! dmsetup remove --noudevsync "$DM"; then
      echo "pxchaos-px-loop: $DM is still open (uninstall Portworx first); $FILE kept" >&2
      status=1
      continue
    fi
  fi
  for LOOP in $(losetup -j "$FILE" | cut -d: -f1); do
    if ! losetup -d "$LOOP"; then
      echo "pxchaos-px-loop: could not detach $LOOP; $FILE kept" >&2
      status=1
      continue 2
    fi
  done
  rm -f "$FILE" "$DIR/px-$NODE.device"
  echo "pxchaos-px-loop: removed $FILE"
done
rmdir "$DIR" 2>/dev/null
exit "$status"

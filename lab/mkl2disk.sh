#!/bin/bash
# mkl2disk.sh OUT.img OUT.initrd LABDIR DEB...: the Debian L2's disk and
# initrd for one lab run. A copy of the cached tree from mkrootfs.sh, the
# DEBs installed with dpkg -i (as a user would: exitprof's triggers the
# initrd's rebuild, which with dracut takes in its 90exitprof module),
# LABDIR copied to /lab (cmd, run.env, the report script) and
# exitprof-lab.service enabled, as an ext4 image; the tree's initrd to
# OUT.initrd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../kernel/kversion.sh
. "$here/../kernel/kversion.sh"
out=$1 initrd=$2 labdir=$3
shift 3
base=$("$here/mkrootfs.sh")
tree=$(mktemp -d "${TMPDIR:-/tmp}/exitprof-l2root.XXXXXX")
trap 'umount "$tree/proc" 2>/dev/null || true; rm -rf "$tree"' EXIT
cp -a "$base/root/." "$tree/"
# dracut and update-initramfs look at /proc
mount -t proc proc "$tree/proc"
for deb in "$@"; do
	cp "$deb" "$tree/tmp/"
	chroot "$tree" dpkg -i "/tmp/$(basename "$deb")" >&2
	rm -f "$tree/tmp/$(basename "$deb")"
done
umount "$tree/proc"
cp "$tree/boot/initrd.img-$KREL" "$initrd"
install -d "$tree/lab"
cp -a "$labdir/." "$tree/lab/"
# lab/run --copy files, in PATH
[ ! -d "$labdir/bin" ] || cp -a "$labdir/bin/." "$tree/usr/local/bin/"
install -m 644 "$here/exitprof-lab.service" "$tree/etc/systemd/system/"
chroot "$tree" systemctl enable exitprof-lab.service >/dev/null 2>&1
size=$(( $(du -sm "$tree" | cut -f1) + 300 ))
mkfs.ext4 -q -F -L exitprof-l2 -d "$tree" "$out" "${size}M" >&2

#!/bin/bash
# Build the Debian inner guest (L2) for boot profiles, cached:
#   $CACHE/lab/debian-$KREL-$GEN/root/   the root file system tree (bookworm,
#                                        systemd, Debian's stock kernel
#                                        $KREL installed from its .deb)
#   $CACHE/lab/debian-$KREL-$GEN/vmlinuz, initrd.img   that kernel and the
#                                        initramfs Debian made for it
# GEN is LAB_L2_INITRD: dracut (the default: systemd runs in the initrd, so
# the sampler does too and systemd reports the initrd milestone) or
# initramfs-tools (Debian's default: a shell initrd, no initrd milestone;
# its tree is debian-$KREL, without the suffix).
# exitprof itself is not in the base tree: lab/mkl2disk.sh installs the .deb
# into a copy per run, the way a user would (dpkg -i), which rebuilds the
# initrd, and makes the disk. Prints the directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../kernel/kversion.sh
. "$here/../kernel/kversion.sh"
kdir=$("$here/../kernel/fetch.sh")
cache=${EXITPROF_CACHE:-$HOME/.cache/exitprof}
gen=${LAB_L2_INITRD:-dracut}
case $gen in
dracut) out=$cache/lab/debian-$KREL-dracut ;;
initramfs-tools) out=$cache/lab/debian-$KREL ;;
*) echo "mkrootfs: LAB_L2_INITRD=$gen: dracut or initramfs-tools" >&2; exit 2 ;;
esac
[ -e "$out/.done" ] && [ -d "$out/root" ] && { echo "$out"; exit 0; }

for t in debootstrap mkfs.ext4; do
	command -v $t >/dev/null || { echo "mkrootfs: $t missing (make deps)" >&2; exit 1; }
done
log() { echo "mkrootfs: $*" >&2; }
rm -rf "$out"
mkdir -p "$out"
root=$out/root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
log "debootstrap bookworm (minbase + systemd, $gen) into $root"
debootstrap --variant=minbase \
	--include=systemd-sysv,udev,kmod,$gen,linux-base,zstd,procps \
	bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$out/debootstrap.log" >&2; exit 1; }

log "installing Debian's stock kernel $KREL with its initramfs"
deb=$(ls "$kdir"/debs/linux-image-"$KREL"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
	mkdir -p "$kdir/debs"
	(cd "$kdir/debs" && apt-get -q download "linux-image-$KREL=$KPKGVER" 2>&1 |
		grep -v unsandboxed >&2 || true)
	deb=$(ls "$kdir"/debs/linux-image-"$KREL"_*.deb | head -n1)
fi
cp "$deb" "$root/tmp/linux-image.deb"
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
# virtio drivers in the initramfs: the root disk is virtio-blk in L2
if [ "$gen" = dracut ]; then
	# generic (in a chroot dracut cannot see L2's hardware), with only
	# the drivers L2's root needs: a small initrd, quick to unpack
	printf '%s\n' 'hostonly="no"' 'drivers=" virtio_pci virtio_blk "' \
		'filesystems=" ext4 "' 'compress="zstd"' \
		>"$root/etc/dracut.conf.d/90-exitprof-lab.conf"
else
	printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
fi
chroot "$root" dpkg -i /tmp/linux-image.deb >"$out/kernel.log" 2>&1 ||
	{ tail -n 20 "$out/kernel.log" >&2; exit 1; }
umount "$root/proc"
trap - EXIT
rm -f "$root/tmp/linux-image.deb"

log "configuring: root on /dev/vda, serial console, no password for root"
echo 'exitprof-l2' >"$root/etc/hostname"
echo '/dev/vda / ext4 defaults 0 1' >"$root/etc/fstab"
chroot "$root" passwd -d root >/dev/null
# the lab talks to L2 over serial consoles only
chroot "$root" systemctl mask systemd-networkd-wait-online.service \
	apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
cp "$root/boot/vmlinuz-$KREL" "$out/vmlinuz"
cp "$root/boot/initrd.img-$KREL" "$out/initrd.img"
# documentation is not needed in a test guest
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/var/cache/apt/archives"/*.deb

touch "$out/.done"
echo "$out"

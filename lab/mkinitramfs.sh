#!/bin/bash
# Builds the L1 initramfs as three cpio layers that the kernel unpacks in order
# (isolinux initrd=a,b,c, or concatenated):
#   base  busybox, L1 /init, qemu-system-x86_64 with its libraries and ROMs, the L2
#         kernel and the L2 base initramfs (busybox + L2 /init)    cached, ~70 MB
#   mods  irqbypass.ko, ccp.ko (stock) and kvm*.ko from the modules dir    cached
#   run   settings, L1 script, --copy files and the L2 per-run layer       per run
# Layers are uncompressed: decompressing under Bochs costs more than loading.
#
# Usage (prints the path of the result on stdout):
#   mkinitramfs.sh base            cached base layer
#   mkinitramfs.sh mods DIR        cached modules layer for DIR/kvm{,-intel,-amd}.ko
#   mkinitramfs.sh stock-kvm       directory with Debian's stock kvm*.ko, uncompressed
#   mkinitramfs.sh kernel-kvm      directory with the kvm*.ko, irqbypass.ko and ccp.ko
#                                  of the kernel LAB_KERNEL names (links)
#   mkinitramfs.sh vmlinuz         the kernel L1 boots (stock, or LAB_KERNEL's)
#   mkinitramfs.sh run OUT WORK [COPY...]
#       per-run layer; settings from the environment: NONCE SMP HEARTBEAT_S L2_MEM L2_APPEND
#       COMMAND_FILE L1_SCRIPT L1_START (may be empty) LAB_KVM_ARGS LAB_KVM_VENDOR_ARGS,
#       and for the Debian L2: L2_KIND=debian L2_DISK (the disk image to make)
#       L2_DEBS (space-separated .deb files to install in it)
# LAB_KERNEL=DIR (a `make -C kernel kernel` output: boot/vmlinuz-REL,
# lib/modules/REL) is the kernel of L1 and L2 instead of Debian's stock one;
# LAB_L2_KERNEL=DIR, one of L2 alone.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../kernel/kversion.sh
. "$LAB_DIR/../kernel/kversion.sh"
LAB_CACHE=${EXITPROF_CACHE:-$HOME/.cache/exitprof}/lab
KPKG=${EXITPROF_CACHE:-$HOME/.cache/exitprof}/$KREL/pkg
mkdir -p "$LAB_CACHE"
lab_vmlinuz() { # DIR: the bzImage of a make -C kernel kernel output
	local f
	f=$(find "$1/boot" -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | head -n1)
	[ -n "$f" ] || { echo "lab: no $1/boot/vmlinuz-*" >&2; return 1; }
	echo "$f"
}
# The kernel L1 boots and L2 runs: Debian's stock one, or LAB_KERNEL's
if [ -n "${LAB_KERNEL:-}" ]; then
	LAB_VMLINUZ=$(lab_vmlinuz "$LAB_KERNEL")
	LAB_KREL=${LAB_VMLINUZ##*/vmlinuz-}
else
	LAB_VMLINUZ=$KPKG/boot/vmlinuz-$KREL
fi
LAB_L2_KERNEL=${LAB_L2_KERNEL:-${LAB_KERNEL:-}}
LAB_L2_VMLINUZ=$LAB_VMLINUZ
[ -z "$LAB_L2_KERNEL" ] || LAB_L2_VMLINUZ=$(lab_vmlinuz "$LAB_L2_KERNEL")
tmp=
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT

# qemu's firmware (Debian's qemu searches /usr/share/qemu, then /usr/share/seabios):
# the BIOS and the option ROMs -kernel uses. Copied to the same paths.
LAB_QEMU_ROMS=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot.bin
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin /usr/share/qemu/pvh.bin
	/usr/share/qemu/multiboot.bin /usr/share/qemu/multiboot_dma.bin)

# Print a key for the given inputs: identity (size, mtime, inode) of the files, and
# the contents of lab's own scripts (a checkout may keep their mtime).
lab_key() {
	{
		stat -L -c '%n %s %y %i' "$@"
		sha256sum "$LAB_DIR"/l1-init "$LAB_DIR"/l1-lib.sh "$LAB_DIR"/l2-init "$LAB_DIR"/l2-report \
			"$LAB_DIR"/mkinitramfs.sh
	} | sha256sum | cut -c1-16
}

lab_sq() { # quote for any POSIX sh
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

lab_cpio() { # DIR OUT: pack DIR as a newc archive owned by root
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$2.tmp.$$"
	mv "$2.tmp.$$" "$2"
}

lab_busybox_root() { # DIR: minimal root with busybox and its applet links
	local d=$1
	mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,tmp,run,root,lab}
	cp /bin/busybox "$d/bin/busybox"
	# one process for ~400 links; busybox itself is skipped, a link would clobber it
	/bin/busybox --list-full | grep -vx 'bin/busybox' |
		ROOTDIR=$d perl -nle 'symlink("/bin/busybox", "$ENV{ROOTDIR}/$_") or die "$_: $!\n"'
}

# Keep only the newest few builds of a layer so the cache does not grow forever.
lab_prune() { # LAYER
	local -a old
	mapfile -t old < <(find "$LAB_CACHE" -maxdepth 1 -name "$1-*.cpio" -printf '%T@ %p\n' |
		sort -rn | tail -n +4 | cut -d' ' -f2-)
	[ "${#old[@]}" = 0 ] || rm -f "${old[@]}"
}

lab_qemu_files() { # print qemu and every library it loads
	local q
	q=$(command -v qemu-system-x86_64)
	echo "$q"
	ldd "$q" | awk '$(NF-1) ~ /^\// {print $(NF-1)} $1 ~ /^\// {print $1}' | sort -u
}

# The L2 data channel is virtio-serial: built into 6.12, modules in 6.1.
# Copy those the stock kernel has as modules into DIR, with DIR/order, the
# order l2-init loads them in (dependencies first).
lab_l2_modules() { # DIR
	local m f
	if [ -n "$LAB_L2_KERNEL" ]; then
		# a kernel of our own has them built in (config/kvm-host.config)
		for m in VIRTIO_PCI VIRTIO_CONSOLE; do
			grep -qx "CONFIG_$m=y" "$LAB_L2_KERNEL/boot/config-${LAB_L2_VMLINUZ##*/vmlinuz-}" ||
				{ echo "lab: $LAB_L2_KERNEL: CONFIG_$m is not built in (L2 needs it)" >&2; return 1; }
		done
		return 0
	fi
	for m in virtio_ring:drivers/virtio/virtio_ring virtio:drivers/virtio/virtio \
		virtio_pci_legacy_dev:drivers/virtio/virtio_pci_legacy_dev \
		virtio_pci_modern_dev:drivers/virtio/virtio_pci_modern_dev \
		virtio_pci:drivers/virtio/virtio_pci virtio_console:drivers/char/virtio_console; do
		f=$KPKG/lib/modules/$KREL/kernel/${m#*:}.ko
		[ -e "$f" ] || [ -e "$f.xz" ] || continue
		mkdir -p "$1"
		cp "$(lab_stock_module "${m%%:*}" "${m#*:}")" "$1/"
		echo "${m%%:*}" >>"$1/order"
	done
}

# Echo the path of the cached base layer, building it if an input changed.
lab_build_base() {
	local vmlinuz=$LAB_L2_VMLINUZ key out f
	local -a inputs
	mapfile -t inputs < <(lab_qemu_files)
	inputs+=("${LAB_QEMU_ROMS[@]}")
	inputs+=(/bin/busybox "$vmlinuz" "$LAB_DIR/l1-init" "$LAB_DIR/l2-init"
		"$LAB_DIR/mkinitramfs.sh")
	key=$(lab_key "${inputs[@]}")
	out=$LAB_CACHE/base-$key.cpio
	if [ -s "$out" ]; then echo "$out"; return; fi
	tmp=$(mktemp -d "$LAB_CACHE/tmp.XXXXXX")
	# L2 base initramfs
	lab_busybox_root "$tmp/l2"
	install -m 755 "$LAB_DIR/l2-init" "$tmp/l2/init"
	install -m 755 "$LAB_DIR/l2-report" "$tmp/l2/lab/l2-report"
	lab_l2_modules "$tmp/l2/lab/mod"
	mkdir -p "$tmp/l1/l2"
	lab_cpio "$tmp/l2" "$tmp/l1/l2/base.cpio"
	# L1 base
	lab_busybox_root "$tmp/l1"
	install -m 755 "$LAB_DIR/l1-init" "$tmp/l1/init"
	install -m 644 "$LAB_DIR/l1-lib.sh" "$tmp/l1/lab/l1-lib.sh"
	cp "$vmlinuz" "$tmp/l1/l2/vmlinuz"
	while read -r f; do
		mkdir -p "$tmp/l1$(dirname "$f")"
		cp -L "$f" "$tmp/l1$f"
	done < <(lab_qemu_files)
	# the loader is looked up under /lib64 whatever ldd says about usrmerge
	mkdir -p "$tmp/l1/lib64" "$tmp/l1/usr/share/qemu" "$tmp/l1/usr/share/seabios"
	[ -e "$tmp/l1/lib64/ld-linux-x86-64.so.2" ] ||
		cp -L /lib64/ld-linux-x86-64.so.2 "$tmp/l1/lib64/"
	for r in "${LAB_QEMU_ROMS[@]}"; do cp -L "$r" "$tmp/l1$r"; done
	lab_cpio "$tmp/l1" "$out"
	rm -rf "$tmp"
	lab_prune base
	echo "$out"
}

# Decompress Debian's stock modules into the cache; print the directory.
# (6.12 ships them xz-compressed, 6.1 as plain .ko.)
lab_stock_module() { # NAME RELPATH: print path of the uncompressed stock module
	local dst=$LAB_CACHE/stock-$KREL/$1.ko src=$KPKG/lib/modules/$KREL/kernel/$2.ko
	if [ ! -s "$dst" ]; then
		mkdir -p "${dst%/*}"
		if [ -e "$src.xz" ]; then xz -dc "$src.xz"; else cat "$src"; fi >"$dst.tmp.$$"
		mv "$dst.tmp.$$" "$dst"
	fi
	echo "$dst"
}

lab_stock_kvm_dir() {
	local m
	for m in kvm kvm-intel kvm-amd; do lab_stock_module "$m" "arch/x86/kvm/$m" >/dev/null; done
	echo "$LAB_CACHE/stock-$KREL"
}

# The stock module NAME's path under kernel/, without .ko[.xz] ('-' and '_'
# are the same in module names).
lab_stock_relpath() { # NAME
	local f
	f=$(find "$KPKG/lib/modules/$KREL/kernel" \( -name "${1//-/_}.ko*" -o \
		-name "${1//_/-}.ko*" \) | head -n1)
	[ -n "$f" ] || { echo "lab: no stock module $1 in $KREL" >&2; return 1; }
	f=${f#"$KPKG/lib/modules/$KREL/kernel/"}
	echo "${f%%.ko*}"
}

# Print the stock modules NAME... and those they depend on (modinfo), each
# once, dependencies first: the order to insmod them in. 6.1's sd_mod, for
# one, needs t10-pi and its CRC modules.
LAB_SEEN=
lab_stock_closure() { # NAME...
	local m d rel
	for m in "$@"; do
		case " $LAB_SEEN " in *" $m "*) continue ;; esac
		LAB_SEEN="$LAB_SEEN $m"
		rel=$(lab_stock_relpath "$m")
		for d in $(modinfo -F depends "$(lab_stock_module "$m" "$rel")" | tr , ' '); do
			lab_stock_closure "$d"
		done
		echo "$m"
	done
}

# LAB_KERNEL's modules that L1 loads, as links in a directory of the cache
# (lab_key follows them: the layer is rebuilt when the kernel is).
lab_kernel_kvm_dir() {
	local mods=$LAB_KERNEL/lib/modules/$LAB_KREL/kernel out=$LAB_CACHE/kvm-$LAB_KREL m
	mkdir -p "$out"
	for m in arch/x86/kvm/kvm arch/x86/kvm/kvm-intel arch/x86/kvm/kvm-amd \
		virt/lib/irqbypass drivers/crypto/ccp/ccp; do
		[ -f "$mods/$m.ko" ] || { echo "lab: no $mods/$m.ko (KVM built as modules?)" >&2; return 1; }
		ln -sfn "$mods/$m.ko" "$out/${m##*/}.ko"
	done
	echo "$out"
}

# Echo the path of the cached modules layer for kvm*.ko in DIR (and its
# irqbypass.ko and ccp.ko if it has them: a kernel of our own; else stock).
lab_build_mods() { # DIR
	local dir=$1 irq ccp key out m
	irq=$dir/irqbypass.ko ccp=$dir/ccp.ko
	[ -f "$irq" ] || irq=$(lab_stock_module irqbypass virt/lib/irqbypass)
	[ -f "$ccp" ] || ccp=$(lab_stock_module ccp drivers/crypto/ccp/ccp)
	for m in kvm kvm-intel kvm-amd; do
		[ -f "$dir/$m.ko" ] || { echo "lab: $dir/$m.ko missing" >&2; return 1; }
	done
	key=$(lab_key "$irq" "$ccp" "$dir/kvm.ko" "$dir/kvm-intel.ko" "$dir/kvm-amd.ko" \
		"$LAB_DIR/mkinitramfs.sh")
	out=$LAB_CACHE/mods-$key.cpio
	if [ -s "$out" ]; then echo "$out"; return; fi
	tmp=$(mktemp -d "$LAB_CACHE/tmp.XXXXXX")
	mkdir -p "$tmp/lab/mod"
	cp -L "$irq" "$ccp" "$dir/kvm.ko" "$dir/kvm-intel.ko" "$dir/kvm-amd.ko" "$tmp/lab/mod/"
	# debug info is most of a built kvm.ko (23 MB -> 3 MB) and slow to load under Bochs
	strip --strip-debug "$tmp"/lab/mod/*.ko
	lab_cpio "$tmp" "$out"
	rm -rf "$tmp"
	lab_prune mods
	echo "$out"
}

# Debian L2: its disk (the lab files and --copy files in /lab and
# /usr/local/bin, the .debs installed), its initramfs and the stock ATA
# drivers L1 needs to see the disk Bochs attaches.
lab_build_debian() { # WORKDIR
	local w=$1 deb m
	local -a debs
	read -r -a debs <<<"${L2_DEBS:-}"
	install -m 755 "$LAB_DIR/l2-report" "$w/l2/lab/l2-report"
	mkdir -p "$w/l2/lab/bin"
	cp -a "$w/l2/usr/local/bin/." "$w/l2/lab/bin/"
	for deb in "${debs[@]}"; do [ -f "$deb" ] || { echo "lab: no $deb" >&2; return 1; }; done
	mkdir -p "$w/l1/l2" "$w/l1/lab/mod"
	"$LAB_DIR/mkl2disk.sh" "$L2_DISK" "$w/l1/l2/initrd-debian.img" "$w/l2/lab" "${debs[@]}"
	lab_stock_closure ata_piix sd_mod >"$w/l1/lab/mod/disk-order"
	while read -r m; do
		cp "$LAB_CACHE/stock-$KREL/$m.ko" "$w/l1/lab/mod/"
	done <"$w/l1/lab/mod/disk-order"
}

# Build the per-run layer OUT from the run's settings (not cached).
lab_build_run() { # OUT WORKDIR COPY...
	local out=$1 w=$2 f
	shift 2
	mkdir -p "$w/l2/lab" "$w/l2/usr/local/bin" "$w/l1/lab" "$w/l1/usr/local/bin"
	for f in "$@"; do
		cp -p "$f" "$w/l2/usr/local/bin/"
		cp -p "$f" "$w/l1/usr/local/bin/"
	done
	cp "$COMMAND_FILE" "$w/l2/lab/cmd"
	printf 'NONCE=%s\n' "$NONCE" >"$w/l2/lab/run.env"
	if [ "${L2_KIND:-busybox}" = debian ]; then
		lab_build_debian "$w"
	else
		lab_cpio "$w/l2" "$w/l1/lab/l2-run.cpio"
	fi
	{
		printf 'NONCE=%s\n' "$NONCE"
		printf 'SMP=%s\n' "$SMP"
		printf 'HEARTBEAT_S=%s\n' "$HEARTBEAT_S"
		printf 'L2_MEM=%s\n' "$L2_MEM"
		printf 'VM_SILENT_S=%s\n' "${LAB_VM_SILENT_S:-120}"
		printf 'HAVE_SCRIPT=%s\n' "$([ -n "$L1_SCRIPT" ] && echo 1 || echo 0)"
		printf 'L2_APPEND=%s\n' "$(lab_sq "$L2_APPEND")"
		printf 'L2_KIND=%s\n' "${L2_KIND:-busybox}"
		printf 'LAB_KVM_ARGS=%s\n' "$(lab_sq "${LAB_KVM_ARGS:-}")"
		printf 'LAB_KVM_VENDOR_ARGS=%s\n' "$(lab_sq "${LAB_KVM_VENDOR_ARGS:-}")"
	} >"$w/l1/lab/run.env"
	[ -z "$L1_SCRIPT" ] || cp "$L1_SCRIPT" "$w/l1/lab/l1-script"
	[ -z "${L1_START:-}" ] || cp "$L1_START" "$w/l1/lab/l1-start"
	lab_cpio "$w/l1" "$out"
}

case ${1:-} in
base) lab_build_base ;;
mods) lab_build_mods "$2" ;;
stock-kvm) lab_stock_kvm_dir ;;
kernel-kvm) lab_kernel_kvm_dir ;;
vmlinuz) echo "$LAB_VMLINUZ" ;;
run) shift; lab_build_run "$@" ;;
*) echo "usage: $0 base | mods DIR | stock-kvm | kernel-kvm | vmlinuz | run OUT WORK [COPY...]" >&2; exit 2 ;;
esac

# shellcheck shell=bash
# Sourced by lab/run: L0 for --vendor intel = Bochs 2.7 emulating a Skylake-X with
# VMX + EPT, booting L1 from an isolinux ISO. The per-vendor interface is
#   l0_tools            print "command-or-file package" lines of what L0 needs
#   l0_start WORK KERNEL APPEND LAYER...
#                       boot L1 in the background with com1 -> WORK/console.log
#                       (console) and com2 -> WORK/data.log (data channel); set L0_PID;
#                       with L0_DISK set, that image is L1's first disk (the
#                       Debian L2's root file system)
# Everything above L0 (initramfs, L1 and L2 init) is shared between vendors.

l0_name() { echo bochs; }
# Seconds of L1's clock between two heartbeats (lab/run: LAB_STUCK_S). The
# emulated clock runs ~30 times slower than wall time while L2 works: a beat
# every 0.25 s comes every ~8 s, inside a minute even on a loaded machine.
l0_heartbeat() { echo 0.25; }
# Instructions per emulated second. Bochs' TSC and local APIC timer count
# instructions, its PIT, HPET and ACPI timer emulated time (ips instructions
# a second). Bochs' largest, 2^32 - 1, makes timer ticks per instruction of
# work those of a 4.3 GHz CPU that retires one instruction a cycle (real
# ones retire more): a Debian L2 boots in ~4.5 s of guest time, as on a
# host, and the timer ticks L1 and L2 take meanwhile are ~9 % of its exits.
BOCHS_IPS=${LAB_BOCHS_IPS:-4294967295}

l0_tools() {
	cat <<'EOF'
bochs-bin bochs
/usr/share/bochs/BIOS-bochs-latest bochsbios
/usr/share/vgabios/vgabios.bin vgabios
genisoimage genisoimage
setpriv util-linux
/usr/lib/ISOLINUX/isolinux.bin isolinux
/usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common
EOF
}

l0_start() {
	local work=$1 kernel=$2 append=$3 i=0 l
	shift 3
	# The CPU model's CPUID leaves 0x15/0x16 claim a 3.5 GHz TSC and a 25 MHz
	# APIC crystal; Linux believes them, so L1's APIC timer fired ~100 times
	# before each tick was due, every one an L2 exit (lab/README.md, "Timer
	# storm"). Given the TSC rate, Linux calibrates the APIC timer against the
	# PIT instead, and every clock agrees with the others.
	append="tsc_early_khz=$((BOCHS_IPS / 1000)) $append"
	# and what the series' kernel needs under Bochs (kernel/versions/*.env)
	[ -z "${BOCHS_APPEND:-}" ] || append="$BOCHS_APPEND $append"
	local -a graft=("vmlinuz=$kernel") names=()
	for l in "$@"; do
		i=$((i + 1))
		graft+=("l$i.img=$l")
		names+=("/l$i.img")
	done
	mkdir -p "$work/iso/isolinux"
	# genisoimage patches the boot-info table into isolinux.bin: use a private copy
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$work/iso/isolinux/"
	local IFS=,
	cat >"$work/iso/isolinux/isolinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT l1
PROMPT 0
TIMEOUT 1
LABEL l1
  KERNEL /vmlinuz
  APPEND initrd=${names[*]} $append
EOF
	unset IFS
	genisoimage -quiet -o "$work/l1.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table -J -R -f \
		-graft-points "isolinux/=$work/iso/isolinux" "${graft[@]}"

	# Debian's Bochs has no nogui: rfb without waiting for a viewer (it picks a free
	# port from 5900 on). sync=none: guest time follows the instruction count, so idle
	# time costs nothing; all timing is done on the host side.
	cat >"$work/bochsrc" <<EOF
display_library: rfb, options="timeout=0"
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
memory: guest=2048, host=2048
cpu: model=corei7_skylake_x, count=1, ips=$BOCHS_IPS, reset_on_triple_fault=0
clock: sync=none, time0=local
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$work/l1.iso, status=inserted
${L0_DISK:+ata0-slave: type=disk, path=$L0_DISK, mode=flat}
boot: cdrom
com1: enabled=1, mode=file, dev=$work/console.log
com2: enabled=1, mode=file, dev=$work/data.log
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
mouse: enabled=0
speaker: enabled=0
sound: driver=dummy
EOF
	# no sound: Bochs' ALSA output aborts (fortify) on hosts without a sound card
	# Bochs starts in its debugger: the rc file continues at once
	echo c >"$work/bochs-dbg.rc"
	: >"$work/console.log"
	: >"$work/data.log"
	# pdeathsig: Bochs dies with lab/run even if that is SIGKILLed (no trap runs then)
	setpriv --pdeathsig KILL bochs-bin -q -f "$work/bochsrc" -rc "$work/bochs-dbg.rc" \
		</dev/null >"$work/bochs.out" 2>&1 &
	# shellcheck disable=SC2034 # read by lab/run
	L0_PID=$!
}

# Bochs stops on a triple fault (reset_on_triple_fault=0): L0 exits.
l0_reset() { return 1; }
# What to show when L0 itself died.
l0_log() { # WORK
	tail -n 15 "$1/bochs.out" "$1/bochs.log" 2>/dev/null
}

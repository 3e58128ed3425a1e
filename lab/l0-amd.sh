# shellcheck shell=bash
# Sourced by lab/run: L0 for --vendor amd = QEMU with its TCG software CPU, -cpu max
# (SVM + NPT), booting L1 directly (-kernel/-initrd). Same interface as l0-intel.sh:
#   l0_name, l0_tools, l0_start WORK KERNEL APPEND LAYER..., l0_log WORK
# with com1 -> WORK/console.log (console), com2 -> WORK/data.log (data channel), and
# L0_DISK, when set, as L1's first disk.

l0_name() { echo qemu-tcg; }
# Seconds of L1's clock between two heartbeats (lab/run: LAB_STUCK_S); TCG's
# guest clock follows wall time.
l0_heartbeat() { echo 2; }

l0_tools() {
	cat <<'EOF'
qemu-system-x86_64 qemu-system-x86
setpriv util-linux
EOF
}

l0_start() {
	local work=$1 kernel=$2 append=$3
	shift 3
	# -initrd takes one file; the kernel unpacks concatenated cpio archives in order,
	# exactly like isolinux' initrd=a,b,c
	cat "$@" >"$work/l1-initrd.cpio"
	local -a disk=()
	# L1 has only the stock ata_piix/sd_mod drivers for this disk (l1-init): an IDE
	# disk on the PIIX controller of -M pc, seen by L1 as /dev/sda
	[ -z "${L0_DISK:-}" ] || disk=(-drive "file=$L0_DISK,format=raw,if=ide,index=0")
	: >"$work/console.log"
	: >"$work/data.log"
	# -cpu max: the only TCG model with svm and npt (it lacks nrip-save, which KVM
	# 6.12 does not require). -nodefaults: no NIC, VGA or default serial to emulate.
	# Two L1 CPUs, one TCG thread each (thread=multi): the L2 vCPUs of the
	# tests do not all crowd one L1 CPU, and both host cores work.
	# LAB_L1_CPUS=1: one L1 CPU, so one TCG thread.
	# -d cpu_reset: a reset of L1's CPUs is logged with the CPU state before it.
	# No -no-reboot: with it a triple fault makes QEMU exit with only "Triple
	# fault" in that log, no state; without it QEMU resets the CPUs, logging
	# where L1 was, and lab/run stops the stack on it (l0_reset).
	# L0_NO_LA57 (lab/run, for a KASAN kernel): the same CPU without 5-level paging.
	# pdeathsig: QEMU dies with lab/run even if that is SIGKILLed (no trap runs then)
	setpriv --pdeathsig KILL qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu "max${L0_NO_LA57:+,la57=off}" \
		-m 4G -smp "${LAB_L1_CPUS:-2}" -nodefaults -no-user-config \
		-display none -monitor none -name exitprof-l1 \
		-d cpu_reset,guest_errors -D "$work/qemu-debug.log" \
		-kernel "$kernel" -initrd "$work/l1-initrd.cpio" -append "$append" \
		-serial "file:$work/console.log" -serial "file:$work/data.log" \
		"${disk[@]}" </dev/null >"$work/qemu.out" 2>&1 &
	# shellcheck disable=SC2034 # read by lab/run
	L0_PID=$!
}

# QEMU logs every CPU reset with the state before it; at power-on and SMP
# bring-up paging is off, so a reset with CR0.PG set is one of a running L1
# (a triple fault, or a reset request). Prints that state, true if there is one.
l0_reset_state() { # WORK
	awk '/^CPU Reset/ { n++; blk = "" } n { blk = blk $0 "\n" }
		/^CR0=/ { cr0 = substr($1, 5); if (length(cr0) == 8 && cr0 ~ /^[89a-fA-F]/) { hit = blk; pg = 1 } }
		/^Triple fault/ { tf = 1 }
		END { if (pg) printf "L1 reset a CPU with paging on%s; QEMU logged this state before it:\n%s", tf ? " (triple fault)" : "", hit; exit !pg }' \
		"$1/qemu-debug.log" 2>/dev/null | head -n 22
}
# True when L1 was reset (lab/run fails the run at once: no second boot).
l0_reset() { # WORK
	l0_reset_state "$1" >/dev/null
}
# What to show when L0 itself died or L1 was reset.
l0_log() { # WORK
	tail -n 15 "$1/qemu.out" 2>/dev/null
	l0_reset_state "$1" || true
}

#!/bin/sh
# Sourced by L1 scripts (busybox sh) that start more VMs next to the lab's L2:
# copy it in with --copy, then `. /usr/local/bin/l1-vm.sh`.
#   start_vm NAME SMP COMMAND   boot the lab's L2 kernel and initramfs with
#                               COMMAND instead of the lab's; sets VPID
#   wait_vm NAME                until it reported; prints COMMAND's status,
#                               its stdout in $VMS/NAME.out
#   wait_data NAME ERE          until a line of its data channel matches ERE
#                               (COMMAND may write there itself: TO_DATA)
#   vm_alive NAME PID           true while the VM's qemu runs; when it ended,
#                               prints its status, console, qemu and L1's trace
#   pause_qemu PID              SIGSTOP a qemu and wait until all its threads
#                               (vCPUs too) stopped (lab/l1-lib.sh)
# shellcheck source=/dev/null # NONCE, L2_MEM, L2_APPEND, VM_SILENT_S, by lab/run
. /lab/run.env
# shellcheck source=lab/l1-lib.sh
. /lab/l1-lib.sh
VMS=/run/vms
mkdir -p $VMS
# Put first in a COMMAND, sends its output straight to the data channel (no
# process runs after its last program, unlike the lab's own report).
# shellcheck disable=SC2016 # expanded in the VM
TO_DATA='for p in /sys/class/virtio-ports/*; do [ "$(cat "$p/name")" = exitprof.data ] && exec >"/dev/${p##*/}"; done;'

start_vm() { # NAME SMP COMMAND
	# a later cpio member replaces an earlier one: the lab's initramfs, but
	# /lab/cmd is COMMAND
	rm -rf $VMS/"$1".d
	mkdir -p $VMS/"$1".d/lab
	printf '%s\n' "$3" >$VMS/"$1".d/lab/cmd
	(cd $VMS/"$1".d && echo lab/cmd | cpio -o -H newc 2>/dev/null) >$VMS/"$1".cmd.cpio
	cat /run/l2.cpio $VMS/"$1".cmd.cpio >$VMS/"$1".cpio
	rm -f $VMS/"$1".data
	l2_qemu "$2" $VMS/"$1".data -initrd $VMS/"$1".cpio \
		-append "console=ttyS0 $L2_APPEND" -serial file:$VMS/"$1".con \
		</dev/null >$VMS/"$1".qemu 2>&1 &
	VPID=$!
}

# wait_data NAME ERE: until the VM's data file has a line matching ERE. A VM
# whose console and data channel did not grow for VM_SILENT_S (lab/run's
# LAB_VM_SILENT_S, default 120) s of L1's time is stuck: its boot is quiet.
wait_data() {
	n=0 last=
	until grep -qE "$2" $VMS/"$1".data 2>/dev/null; do
		now=$(cat $VMS/"$1".con $VMS/"$1".data 2>/dev/null | wc -c)
		[ "$now" = "$last" ] || n=0 last=$now
		vm_alive "$1" "$VPID" || return 1
		if [ $n -ge "$VM_SILENT_S" ]; then
			echo "l1-vm: VM $1 did not report (no output for $n s); its console and qemu:" >&2
			vm_logs "$1"
			return 1
		fi
		n=$((n + 1))
		sleep 1
	done
}

vm_logs() { # NAME
	tail -n 20 $VMS/"$1".con $VMS/"$1".qemu >&2
	kvm_trace_report >&2
}

# (an ended qemu not yet reaped is a zombie, which kill -0 still finds; the
# status is known only where the shell that started it waits)
vm_alive() { # NAME PID
	_s=$(cut -d' ' -f3 /proc/"$2"/stat 2>/dev/null)
	[ -n "$_s" ] && [ "$_s" != Z ] && return 0
	wait "$2" 2>/dev/null
	_s=$?
	[ $_s = 127 ] && _s=unknown
	echo "l1-vm: VM $1's qemu ended (status $_s); its console and qemu:" >&2
	vm_logs "$1"
	return 1
}

wait_vm() { # NAME
	wait_data "$1" "@@exitprof-lab:$NONCE:l2:rc=" || return 1
	awk -v b="@@exitprof-lab:$NONCE:l2:out-begin@@" -v e="@@exitprof-lab:$NONCE:l2:out-end@@" \
		'$0 == e { on = 0 } on && NF { print } $0 == b { on = 1 }' $VMS/"$1".data >$VMS/"$1".out
	sed -n "s/.*@@exitprof-lab:$NONCE:l2:rc=\([0-9]*\)@@.*/\1/p" $VMS/"$1".data
}

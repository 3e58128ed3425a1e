#!/bin/sh
# Sourced by L1 scripts (busybox sh) that start more VMs next to the lab's L2:
# copy it in with --copy, then `. /usr/local/bin/l1-vm.sh`.
#   start_vm NAME SMP COMMAND   boot the lab's L2 kernel and initramfs with
#                               COMMAND instead of the lab's; sets VPID
#   launch_vm NAME              start its qemu again (sets VPID)
#   wait_vm NAME                until it reported; prints COMMAND's status,
#                               its stdout in $VMS/NAME.out
#   wait_data NAME ERE          until a line of its data channel matches ERE
#                               (COMMAND may write there itself: TO_DATA)
#   pause PID                   SIGSTOP a qemu and wait until all its threads
#                               (vCPUs too) stopped
# shellcheck source=/dev/null # NONCE, L2_MEM, L2_APPEND, written by lab/run
. /lab/run.env
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
	echo "$2" >$VMS/"$1".smp
	launch_vm "$1"
}

launch_vm() { # NAME: (re)start its qemu from what start_vm prepared
	rm -f $VMS/"$1".data
	# shellcheck disable=SC2086 # L2_APPEND is a word list
	qemu-system-x86_64 -M pc -enable-kvm -cpu host -smp "$(cat $VMS/"$1".smp)" -m "$L2_MEM" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel /l2/vmlinuz -initrd $VMS/"$1".cpio \
		-append "console=ttyS0 $L2_APPEND" -serial file:$VMS/"$1".con \
		-device virtio-serial-pci,id=vser \
		-chardev file,id=d,path=$VMS/"$1".data \
		-device virtserialport,bus=vser.0,chardev=d,name=exitprof.data \
		</dev/null >$VMS/"$1".qemu 2>&1 &
	VPID=$!
}

# wait_data NAME ERE: until the VM's data file has a line matching ERE.
# QEMU TCG's nested SVM now and then hangs an L2 before it is up (lab_run in
# tests/lab/lib.sh boots such a stack again); a VM that is not up after
# 300 s there is started once more. Bochs boots L2s far slower: no restart.
wait_data() {
	n=0 again=1
	until grep -qE "$2" $VMS/"$1".data 2>/dev/null; do
		if ! kill -0 "$VPID" 2>/dev/null || [ $n -ge 3000 ]; then
			echo "l1-vm: VM $1 did not report; its console and qemu:" >&2
			tail -n 20 $VMS/"$1".con $VMS/"$1".qemu >&2
			return 1
		fi
		if [ $again = 1 ] && [ $n -ge 300 ] && grep -qw svm /proc/cpuinfo &&
			! grep -q "@@exitprof-lab:$NONCE:l2:up@@" $VMS/"$1".data 2>/dev/null; then
			echo "l1-vm: VM $1 not up after $n s; starting it once more" >&2
			kill -KILL "$VPID"
			wait "$VPID" 2>/dev/null
			launch_vm "$1"
			n=0 again=0
		fi
		n=$((n + 1))
		sleep 1
	done
}

wait_vm() { # NAME
	wait_data "$1" "@@exitprof-lab:$NONCE:l2:rc=" || return 1
	awk -v b="@@exitprof-lab:$NONCE:l2:out-begin@@" -v e="@@exitprof-lab:$NONCE:l2:out-end@@" \
		'$0 == e { on = 0 } on && NF { print } $0 == b { on = 1 }' $VMS/"$1".data >$VMS/"$1".out
	sed -n "s/.*@@exitprof-lab:$NONCE:l2:rc=\([0-9]*\)@@.*/\1/p" $VMS/"$1".data
}

pause() { # PID
	kill -STOP "$1"
	n=0
	while :; do
		all=1
		for s in /proc/"$1"/task/*/stat; do
			read -r st <"$s" || continue
			st=${st##*) }
			[ "${st%% *}" = T ] || all=0
		done
		[ $all = 1 ] && return 0
		n=$((n + 1))
		[ $n -lt 500 ] || return 1
		sleep 0.02
	done
}

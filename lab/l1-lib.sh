# shellcheck shell=sh
# Sourced in L1 (busybox sh) by /init and by the L1 scripts of the tests: the
# one copy of how L1 starts an L2 VM and how it pauses one, and of the lab's
# KVM tracing.

# l2_qemu SMP DATAFILE ARGS... &: exec the L2 qemu; call it in the background
# (with its redirections), so that $! is qemu's pid, the <pid> of its KVM
# debugfs directory. DATAFILE receives L2's data channel, the
# virtio-serial port "exitprof.data" (l2-init). ARGS: -initrd, -append, -drive,
# -serial ...
l2_qemu() {
	_smp=$1 _data=$2
	shift 2
	exec qemu-system-x86_64 -M pc -enable-kvm -cpu host -smp "$_smp" -m "$L2_MEM" \
		-nodefaults -no-user-config -display none -no-reboot -kernel /l2/vmlinuz \
		-device virtio-serial-pci,id=vser -chardev file,id=l2data,path="$_data" \
		-device virtserialport,bus=vser.0,chardev=l2data,name=exitprof.data "$@"
}

# pause_qemu PID: SIGSTOP a qemu and wait until every one of its threads
# (vCPUs too) is in state T; fails after 10 s.
pause_qemu() {
	kill -STOP "$1" || return 1
	_n=0
	while :; do
		_all=1
		for _s in /proc/"$1"/task/*/stat; do
			read -r _st <"$_s" || continue
			_st=${_st##*) }
			[ "${_st%% *}" = T ] || _all=0
		done
		[ $_all = 1 ] && return 0
		_n=$((_n + 1))
		[ $_n -lt 500 ] || return 1
		sleep 0.02
	done
}

# kvm_trace_report: after a VM's qemu ended unexpectedly, print what L1's
# trace buffer holds (l1-init records the shutdown / triple-fault exits, with
# the guest's RIP, and the exceptions KVM injected), prefixed, to stdout.
kvm_trace_report() {
	_t=$(grep -v '^#' /sys/kernel/tracing/trace | tail -n 40)
	echo "${_t:-(no shutdown exit and no injected exception recorded)}" | sed 's/^/L1 trace| /'
}

# The lab's KVM tracing in L1, installed by l1-init: this hist of every
# exit's reason over L2's whole life (KVM's own per-reason accounting), and
# the kvm events above in the trace buffer.
LAB_HIST='hist:keys=exit_reason:vals=hitcount:sort=exit_reason'
# lab_trace_off: remove it all, as on a user's host, and before rmmod kvm (a
# trigger left on a module's tracepoint makes its unload WARN).
lab_trace_off() {
	echo "!$LAB_HIST" >/sys/kernel/tracing/events/kvm/kvm_exit/trigger
	echo 0 >/sys/kernel/tracing/events/kvm/enable
}

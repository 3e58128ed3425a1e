#!/bin/sh
# make bench, in L1 (busybox sh), the lab's L2 paused: the cost of a VM exit
# with the statistics on vs off, in one boot. A VM runs `leafcheck bench`
# (rounds of CPUID on every vCPU, each round filed under the state the leaves
# report) while this script toggles kvm.exit_stats: with 1 vCPU (L1 has one
# CPU, so a second vCPU's rounds include time it waited for the first), then
# 2; then 2 again with the global-atomic variant of the modules (copied in as
# kvm-atomic.ko and kvm-VENDOR-atomic.ko) loaded in place of ours.
set -u
# shellcheck source=tests/lab/l1-vm.sh
. /usr/local/bin/l1-vm.sh
P=/sys/module/kvm/parameters
if grep -qw svm /proc/cpuinfo; then vendor=amd; else vendor=intel; fi
status=0

bench() { # LABEL SMP
	echo 1 >$P/exit_stats
	start_vm bench "$2" "leafcheck bench ${BENCH_N:-500} ${BENCH_R:-40}"
	# short periods: many alternations, so drift falls on both states alike
	(while :; do
		echo 0 >$P/exit_stats
		sleep 0.05
		echo 1 >$P/exit_stats
		sleep 0.05
	done) &
	tog=$!
	rc=$(wait_vm bench) || rc=1
	kill $tog
	wait $tog 2>/dev/null
	echo 1 >$P/exit_stats
	kill -KILL "$VPID"
	wait "$VPID" 2>/dev/null
	sed "s/^/bench $1| /" $VMS/bench.out
	[ "$rc" = 0 ] || { echo "bench $1| FAIL: leafcheck bench exited $rc"; status=1; }
}

# The lab's kvm_exit histogram costs every exit: remove it, as the variant's
# module load would, so that all phases run without it.
TR=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
grep '^hist' $TR | while read -r t _; do echo "!$t" >>$TR; done
grep -q '^hist' $TR && { echo "bench: FAIL cannot remove $(cat $TR)"; exit 1; }
# The lab's own L2 is not needed: its CPU time would only add noise.
kill -KILL "$L2_PID"
wait "$L2_PID" 2>/dev/null
bench per-vcpu:1 1
bench per-vcpu:2 2

A=/usr/local/bin
if [ -e $A/kvm-atomic.ko ]; then
	rmmod kvm_$vendor kvm || { echo "bench: FAIL cannot unload kvm"; exit 1; }
	# shellcheck disable=SC2086 # parameter lists
	if ! insmod $A/kvm-atomic.ko $LAB_KVM_ARGS ||
	   ! insmod $A/kvm-$vendor-atomic.ko $LAB_KVM_VENDOR_ARGS; then
		echo "bench: FAIL cannot load the global-atomic variant"
		exit 1
	fi
	bench global-atomic:2 2
fi
exit $status

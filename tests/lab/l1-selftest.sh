#!/bin/sh
# Runs in L1 (busybox sh) while L2 is paused: KVM's own selftest for the
# shellcheck disable=SC2016 # need() evals its condition in L1
# exitprof leaves, x86_64/exit_stats_test (patch 0004 of the hook series),
# which creates a VM of its own in L1's KVM. First what it needs from L1:
# /dev/kvm, the kvm.exit_stats parameter, debugfs with KVM's directory.
set -u
fail=0
need() {
	if eval "$1"; then
		echo "l1-selftest: ok   $2"
	else
		echo "l1-selftest: FAIL $2"
		fail=1
	fi
}
need '[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]' "/dev/kvm is a read-write character device"
need '[ "$(cat /sys/module/kvm/parameters/exit_stats 2>/dev/null)" = Y ]' "kvm.exit_stats=Y"
need '[ "$(cat /sys/module/kvm/parameters/exit_stats_scope 2>/dev/null)" = vm ]' "kvm.exit_stats_scope=vm"
need 'grep -q " /sys/kernel/debug debugfs " /proc/mounts && [ -d /sys/kernel/debug/kvm ]' "debugfs mounted, with /sys/kernel/debug/kvm"
need 'command -v exit_stats_test >/dev/null' "exit_stats_test is in PATH"
echo "l1-selftest: info $(grep -m1 MemAvailable /proc/meminfo | tr -s ' ')"
[ $fail = 0 ] || exit 1
# by its path: the selftest library loads the guest code from its own ELF file
"$(command -v exit_stats_test)"
rc=$?
echo "l1-selftest: exit_stats_test exit status $rc"
exit $rc

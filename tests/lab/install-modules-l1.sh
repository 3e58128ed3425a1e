#!/bin/sh
# Runs in L1 (busybox sh) while the lab's L2 is paused; L1 booted with the
# stock kvm modules (tests/lab/install-modules.sh). kernel/install-modules.sh
# must refuse while the L2 qemu holds KVM, and for modules of another release
# or vermagic, changing nothing; then install exitprof's (a new VM sees the
# leaves, its debugfs directory has exit_stats; one that fails to load
# leaves the stock ones loaded), refuse --restore while a VM
# runs, restore the stock modules (a new VM sees no leaves).
# Env from lab/run: L2_PID.
set -u
# shellcheck source=tests/lab/l1-vm.sh
. /usr/local/bin/l1-vm.sh
prog=install-modules
# shellcheck source=tests/lab/lib.sh
. /usr/local/bin/lib.sh
im=/usr/local/bin/install-modules.sh
if grep -qw svm /proc/cpuinfo; then v=amd; else v=intel; fi
tar -xJf /usr/local/bin/install-test.tar.xz -C /
check $? "the stock /lib/modules/$(uname -r) tree and the module sets unpacked"
# the lab's KVM tracing is not on a user's host
lab_trace_off

P=/sys/module/kvm/parameters
state() { # which kvm is loaded, and its dependencies
	if [ -e $P/exit_stats ]; then k=exitprof; elif [ -d /sys/module/kvm ]; then k=stock; else k=none; fi
	echo "kvm=$k $(lsmod | awk '$1 ~ /^(kvm|kvm_intel|kvm_amd|irqbypass|ccp)$/ { print $1 }' | sort | tr '\n' ' ')"
}
stock="kvm=stock $(printf '%s\n' kvm kvm_$v irqbypass $([ $v = amd ] && echo ccp) | sort | tr '\n' ' ')"
ours="kvm=exitprof${stock#kvm=stock}"
# run NAME ARGS...: install-modules.sh ARGS, its status in $r, its output in /run/NAME.*
run() {
	n=$1
	shift
	$im "$@" >/run/$n.out 2>/run/$n.err
	r=$?
	sed "s/^/$n| /" /run/$n.out /run/$n.err
}
[ "$(state)" = "$stock" ]
check $? "L1 starts with the stock modules: $(state)"

run busy /tmp/im/exitprof
[ $r = 1 ] && grep -q "KVM is in use:.*kvm_$v has [1-9]" /run/busy.err &&
	grep -q "$L2_PID(qemu-system-x86" /run/busy.err && grep -q 'nothing was changed' /run/busy.err
check $? "refuses while the lab's L2 qemu (pid $L2_PID, stopped) holds KVM, names it (exit $r)"
[ "$(state)" = "$stock" ]
check $? "... and changed nothing: $(state)"
kill -KILL "$L2_PID"
wait "$L2_PID" 2>/dev/null
sleep 1

run badrel /tmp/im/badrel
[ $r = 1 ] && grep -q "was built for Linux 9.*, the running kernel is $(uname -r): refusing" /run/badrel.err
check $? "refuses modules built for another release (exit $r)"
[ "$(state)" = "$stock" ]
check $? "... and changed nothing"
run badmagic /tmp/im/badmagic
[ $r = 1 ] && grep -q "vermagic .*mod_UNLOAD.* differs from the stock kvm's" /run/badmagic.err
check $? "refuses modules of another vermagic (exit $r)"
[ "$(state)" = "$stock" ]
check $? "... and changed nothing"
run nodir
[ $r = 2 ]
check $? "no DIR: usage error (exit $r)"
run help --help
[ $r = 0 ] && grep -q "^usage: " /run/help.out && grep -q -- "--restore" /run/help.out
check $? "--help prints the usage (exit $r)"
run nofile /tmp/im
[ $r = 1 ] && grep -q "no readable /tmp/im/kvm.ko" /run/nofile.err
check $? "a DIR without the modules: refused (exit $r)"

run fallback --vendor-args nested=invalid /tmp/im/exitprof
[ $r = 1 ] && grep -q "the stock ones are back" /run/fallback.err && [ "$(state)" = "$stock" ]
check $? "kvm-$v.ko failing to load (nested=invalid): the stock modules are back (exit $r)"

run install /tmp/im/exitprof
check $r "installs exitprof's modules: $(cat /run/install.out)"
[ "$(state)" = "$ours" ]
check $? "exitprof's kvm, irqbypass kept: $(state)"
[ "$(cat $P/exit_stats)" = Y ] && [ "$(cat $P/exit_stats_scope)" = vm ]
check $? "kvm.exit_stats=Y, exit_stats_scope=vm"
start_vm ours 1 'exitprof query'
rc=$(wait_vm ours)
[ "$rc" = 0 ] && grep -q . $VMS/ours.out
check $? "a new VM reads the leaves: exitprof query exit ${rc:-none}: $(head -n 1 $VMS/ours.out)"
set -- /sys/kernel/debug/kvm/"$VPID"-*
[ -r "$1/exit_stats" ] && grep -q '^total ' "$1/exit_stats"
check $? "its debugfs directory has exit_stats: $(grep '^total ' "$1/exit_stats")"
run busy2 --restore
[ $r = 1 ] && grep -q "KVM is in use" /run/busy2.err && [ "$(state)" = "$ours" ]
check $? "--restore refuses while that VM runs, changes nothing (exit $r)"
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null
sleep 1
run again /tmp/im/exitprof
[ $r = 0 ] && [ "$(state)" = "$ours" ]
check $? "installing over exitprof's again works (exit $r)"

run restore --restore
check $r "--restore: $(cat /run/restore.out)"
[ "$(state)" = "$stock" ]
check $? "the stock modules are back: $(state)"
start_vm stock 1 'exitprof query'
rc=$(wait_vm stock)
[ "$rc" = 3 ]
check $? "a new VM sees no leaves: exitprof query exit ${rc:-none} (3: absent)"
set -- /sys/kernel/debug/kvm/"$VPID"-*
[ -d "$1" ] && [ ! -e "$1/exit_stats" ]
check $? "its debugfs directory has no exit_stats"
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null
run restore2 --restore
[ $r = 0 ] && grep -q 'already' /run/restore2.out
check $? "--restore with the stock modules loaded: nothing to do (exit $r)"
summary

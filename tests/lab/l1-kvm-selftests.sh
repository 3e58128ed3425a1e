#!/bin/sh
# Runs in L1 (busybox sh) while L2 is paused: KVM's x86_64 selftests of the
# tree (/usr/local/bin/suite.tar.xz from kernel/selftest.sh suite, with
# "args" and "timeout" from tests/lab/kvm-selftests.sh), one after the
# other against L1's KVM, each bounded by its timeout (SIGKILL; "timeout"
# has lines PROGRAM SECONDS, PROGRAM * for the others).
# One line per program: "kst: PROGRAM pass|fail|skip|timeout rc=N SECONDSs",
# for all but pass the last lines of its output as "kst| PROGRAM: ...".
set -u
d=/tmp/kst
mkdir -p $d && cd $d && tar -xJf /usr/local/bin/suite.tar.xz || { echo "kst: unpack failed"; exit 1; }
T=$(awk '$1 == "*" { print $2 }' timeout)
LD_LIBRARY_PATH=$d/lib
export LD_LIBRARY_PATH
up() { cut -d' ' -f1 /proc/uptime; }
cs() { cat /sys/devices/system/clocksource/clocksource0/current_clocksource; }
echo "kst: info $(uname -r), kvm.exit_stats $(cat /sys/module/kvm/parameters/exit_stats 2>/dev/null || echo absent), $(nproc) CPUs, timeout $T s"
# The clock tests skip unless L1's clocksource is the TSC (tests/lab/kvm-selftests.sh)
echo "kst: clocksource before $(cs)"
while read -r p; do
	a=$(awk -v p="${p##*/}" '$1 == p { $1 = ""; print }' args)
	tp=$(awk -v p="$p" '$1 == p { print $2 }' timeout)
	t0=$(up)
	# shellcheck disable=SC2086 # the arguments are words
	timeout -s KILL "${tp:-$T}" ./"$p" $a </dev/null >/tmp/kst.out 2>&1
	rc=$?
	t1=$(up)
	case $rc in 0) r=pass ;; 4) r=skip ;; 137) r=timeout ;; *) r=fail ;; esac
	echo "kst: $p $r rc=$rc $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
	[ $r = pass ] || tail -n 3 /tmp/kst.out | cut -c1-200 | sed "s#^#kst| $p: #"
done <list
echo "kst: clocksource after $(cs)"

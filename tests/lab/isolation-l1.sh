#!/bin/sh
# Runs in L1 (busybox sh) while the lab's L2, VM "A" (2 vCPUs), is paused after
# its command. KVM's own per-VM accounting here is the kvm_exit tracepoint
# keyed by vCPU thread (common_pid), mapped to VMs through /proc/PID/task.
#   1. A alone: exit_stats == KVM's own accounting (l1-compare.sh).
#   2. Scope vm, then host: VM "B" (4 vCPUs) boots and works while A runs
#      idle. B's leafcheck smp is exact; B's exit_stats equal B's own
#      tracepoint events, and A's change equals A's own (B's exits never
#      reach A's counters); B's view of reason CPUID is B's own count (vm) or
#      B's plus A's (host). B holds after its view so nothing runs after it.
#   3. kvm.exit_stats=0: VM "C" finds no leaves, its dump is printed for
#      isolation.sh to compare with stock KVM, and nothing is counted.
# Env from lab/run: KVM_VM_DIR (A's debugfs), KVM_EXIT_HIST, L2_PID (A's qemu).
set -u
# shellcheck source=tests/lab/l1-vm.sh
. /usr/local/bin/l1-vm.sh
P=/sys/module/kvm/parameters
TR=/sys/kernel/tracing/events/kvm/kvm_exit
if grep -qw svm /proc/cpuinfo; then svm=1 reason=114; else svm=0 reason=10; fi
T=$VMS
prog=isolation
# shellcheck source=tests/lab/lib.sh
. /usr/local/bin/lib.sh
finish() {
	summary
	exit
}

# ---- 1. A alone against KVM's accounting ------------------------------------------
sh /usr/local/bin/l1-compare.sh >$T/compare
check $? "VM A (2 vCPUs): exit_stats == kvm_exit tracepoint and exits statistic"
sed 's/^/A| /' $T/compare

# From here on, KVM's accounting per vCPU thread.
PID_HIST='hist:keys=common_pid,exit_reason:vals=hitcount:size=8192'
echo "$PID_HIST" >>$TR/trigger || { check 1 "install $PID_HIST"; finish; }

# "code count" per reason plus "total N" and "exits N", from a VM's debugfs
snap_stats() { # DIR
	awk '$1 ~ /^[0-9]+$/ { print $1, $3 } $1 == "total" { print "total", $3 }' "$1/exit_stats"
	echo "exits $(cat "$1/exits")"
}

# The same from the tracepoint, for the vCPU threads of qemu PID (raw codes
# made basic reasons as in l1-compare.sh; SVM's negative codes count in the
# total only).
snap_trace() { # PID
	awk -v svm=$svm -v tids="$(ls /proc/"$1"/task | tr '\n' ' ')" '
	BEGIN { n = split(tids, t, " "); for (i = 1; i <= n; i++) mine[t[i]] = 1 }
	/common_pid:/ && /exit_reason:/ {
		line = $0; sub(/.*common_pid:[ \t]*/, "", line); split(line, p, /[ \t,]/)
		if (!(p[1] in mine)) next
		line = $0; sub(/.*exit_reason:[ \t]*/, "", line); split(line, a, /[ \t}]/)
		code = svm ? a[1] + 0 : a[1] % 65536
		line = $0; sub(/.*hitcount:[ \t]*/, "", line); split(line, b, /[ \t]/)
		total += b[1]
		if (!(svm && code >= 2147483648)) c[code] += b[1]
	}
	END { for (k in c) print k, c[k]; print "total", total + 0 }' $TR/hist
}

get() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$2"; }

# same_change WHAT STATS_AFTER STATS_BEFORE TRACE_AFTER TRACE_BEFORE: per
# reason and in total, the change in exit_stats == the change in tracepoint
# events (a missing before file counts as zero)
same_change() {
	awk '
	FILENAME == ARGV[1] { s[$1] += $2; k[$1] = 1; next }
	FILENAME == ARGV[2] { s[$1] -= $2; k[$1] = 1; next }
	FILENAME == ARGV[3] { d[$1] += $2; k[$1] = 1; next }
	{ d[$1] -= $2; k[$1] = 1 }
	END {
		for (c in k) {
			if (c == "exits") continue
			if (s[c] != d[c]) { bad++; printf "isolation: reason %s: exit_stats %+d, tracepoint %+d\n", c, s[c], d[c] }
		}
		if (s["exits"] != s["total"]) { bad++; printf "isolation: exits statistic %+d, exit_stats total %+d\n", s["exits"], s["total"] }
		exit bad != 0
	}' "$2" "$3" "$4" "$5"
	check $? "$1"
}

# ---- 2. a second VM, per scope ------------------------------------------------------
# B's command writes straight to its data channel and holds after the view.
cmd="$TO_DATA leafcheck dump && leafcheck smp 10000 && exec leafcheck view --hold"
: >$T/empty
for scope in vm host; do
	echo $scope >$P/exit_stats_scope
	snap_stats "$KVM_VM_DIR" >$T/a0
	snap_trace "$L2_PID" >$T/ta0
	kill -CONT "$L2_PID"
	start_vm B 4 "$cmd"
	wait_data B '^leafcheck: view |:l2:rc=' || { check 1 "scope $scope: VM B ran its command"; finish; }
	if ! pause_qemu "$VPID" || ! pause_qemu "$L2_PID"; then
		check 1 "scope $scope: VMs A and B paused"
		finish
	fi
	set -- /sys/kernel/debug/kvm/"$VPID"-*
	snap_stats "$1" >$T/b
	snap_trace "$VPID" >$T/tb
	snap_stats "$KVM_VM_DIR" >$T/a1
	snap_trace "$L2_PID" >$T/ta1
	kill -KILL "$VPID"
	wait "$VPID" 2>/dev/null
	grep '^leafcheck: ' $T/B.data | grep -v '^leafcheck: dump ' | sed "s/^/B($scope)| /"
	! grep -q '^leafcheck: FAIL' $T/B.data && grep -q '^leafcheck: ok   4 vCPUs' $T/B.data
	check $? "scope $scope: VM B (4 vCPUs): leafcheck smp exact"
	same_change "scope $scope: VM B's exit_stats == B's own kvm_exit events, per reason" \
		$T/b $T/empty $T/tb $T/empty
	same_change "scope $scope: A's exit_stats moved exactly by A's own kvm_exit events while B worked" \
		$T/a1 $T/a0 $T/ta1 $T/ta0
	echo "isolation: info A's reason $reason: $(get "$reason" $T/a0) -> $(get "$reason" $T/a1); B's: $(get "$reason" $T/b)"

	view=$(grep '^leafcheck: view ' $T/B.data)
	seen=$(echo "$view" | sed -n 's/.* cpuid=\([0-9]*\).*/\1/p')
	own=$(get "$reason" $T/b)
	a=$(get "$reason" $T/a1)
	echo "$view" | grep -q " scope=$scope "
	check $? "scope $scope: B's leaves say scope=$scope"
	if [ $scope = vm ]; then want=$own; else want=$((own + a)); fi
	[ -n "$seen" ] && [ "$seen" = "$want" ]
	check $? "scope $scope: B sees reason $reason = $seen; B's own $own, A's $a: want $want"
done
echo vm >$P/exit_stats_scope

# ---- 3. statistics off ---------------------------------------------------------------
echo 0 >$P/exit_stats
snap_stats "$KVM_VM_DIR" >$T/a0
kill -CONT "$L2_PID"
start_vm C 1 "$cmd"
wait_data C ':l2:rc=' || { check 1 "exit_stats=0: VM C ran its command"; finish; }
pause_qemu "$L2_PID"
set -- /sys/kernel/debug/kvm/"$VPID"-*
snap_stats "$1" >$T/c
snap_stats "$KVM_VM_DIR" >$T/a1
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null
grep '^leafcheck: ' $T/C.data | sed 's/^/C(off)| /'
grep -q '^leafcheck: FAIL 0x4ffffffb' $T/C.data
check $? "exit_stats=0: VM C finds no exitprof leaves"
[ "$(get total $T/c)" = 0 ] && [ "$(get total $T/a0)" = "$(get total $T/a1)" ]
check $? "exit_stats=0: nothing counted (C $(get total $T/c), A $(get total $T/a0) -> $(get total $T/a1)) while KVM counted $(get exits $T/c) exits of C"
finish

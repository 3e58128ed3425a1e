#!/bin/sh
# Runs in L1 (busybox sh) while the lab's L2 is paused; its COMMAND left a
# workload running (tests/lab/cycles-trace.sh): CPUID bursts, port 0x80
# writes (IOIO exits that QEMU handles in user space) and sleeps (HLT).
# exitprof's cycles per reason against an independent clock: the tracing
# clock set to the TSC (trace_clock x86-tsc), every kvm_exit -> next
# kvm_entry interval of the vCPU summed per exit reason in the kernel (a
# synthetic event from the kvm_entry hist trigger, onmatch kvm_exit, and a
# hist of it keyed by reason: no ring buffer, nothing to lose), over a
# window in which L2 runs: exit_stats before, SIGCONT, $W s, SIGSTOP,
# exit_stats after.
#   exitprof's window is [begin, done] (after the hardware exit .. handle_exit
#   returned), the trace's [kvm_exit, next kvm_entry]. The first starts a
#   little earlier (begin is before the kvm_exit tracepoint in the vendor's
#   vcpu_run), the second ends much later (the rest of the vcpu_run loop,
#   halt blocking, the VMM's user space, the vendor code before kvm_entry).
# Checks: per reason, the trace saw exactly exitprof's exits (one per vCPU
# left open by the SIGSTOP, closed at the end of the window); CPUID exits
# (handled in the kernel) at most TOL % above and LOW % below their intervals
# (below: host interrupts taken between done and the next entry are in the
# trace's window only; 82.5 % measured once on an idle machine); no reason more
# than its intervals plus TOL % of a CPUID interval per exit (the stretch
# from begin to the kvm_exit tracepoint, 1-7 % of a CPUID exit here, is in
# exitprof's window only); HLT at most HLT_MAX %, IOIO at most IO_MAX % of
# their intervals (halted; QEMU's user space). If exitprof counted the time
# halted or in the VMM's user space, the last two fail.
# Env from lab/run: KVM_VM_DIR, L2_PID.
set -u
# shellcheck source=lab/l1-lib.sh
. /lab/l1-lib.sh
prog=cycles
# shellcheck source=tests/lab/lib.sh
. /usr/local/bin/lib.sh
W=${W:-10}
TOL=15 LOW=25 HLT_MAX=20 IO_MAX=60
T=/sys/kernel/tracing
if grep -qw svm /proc/cpuinfo; then
	cpuid=114 hlt=120 io=123 # SVM_EXIT_CPUID, _HLT, _IOIO
else
	cpuid=10 hlt=12 io=30
fi

echo x86-tsc >$T/trace_clock && grep -q '\[x86-tsc\]' $T/trace_clock
check $? "trace_clock: $(cat $T/trace_clock)"
# Only these triggers on kvm_exit and kvm_entry: each hist trigger reads the
# clock itself, in the order they were added; the lab's kvm_exit histogram
# would come first and move the exit's time stamp later.
for e in kvm_exit kvm_entry; do
	grep '^hist:' $T/events/kvm/$e/trigger | while read -r t _; do echo "!$t" >$T/events/kvm/$e/trigger; done
done
# kvm_exit: the time stamp and reason, per vCPU, for the next kvm_entry;
# the last one of each vCPU (onmax: the latest) for the exit left open.
# kvm_entry: the interval, into a synthetic event summed per reason.
# shellcheck disable=SC2016 # $ts0, $r0, $lat, $t1 are the hist's variables
echo 'exitprof_lat u32 vcpu; u32 reason; u64 lat' >>$T/synthetic_events &&
	echo 'hist:keys=vcpu_id:ts0=common_timestamp:r0=exit_reason:clock=x86-tsc' >>$T/events/kvm/kvm_exit/trigger &&
	echo 'hist:keys=vcpu_id:t1=common_timestamp:clock=x86-tsc:onmax($t1).save(exit_reason)' >>$T/events/kvm/kvm_exit/trigger &&
	echo 'hist:keys=vcpu_id:lat=common_timestamp-$ts0:clock=x86-tsc:onmatch(kvm.kvm_exit).trace(exitprof_lat,vcpu_id,$r0,$lat)' \
		>>$T/events/kvm/kvm_entry/trigger &&
	echo 'hist:keys=reason:vals=hitcount,lat:sort=reason' >>$T/events/synthetic/exitprof_lat/trigger
check $? "kvm_exit -> kvm_entry intervals summed per reason by hist triggers"
# A hist trigger with common_timestamp sets the instance's trace_clock to
# its clock= (default "global", in ns): without clock=x86-tsc above, the
# intervals would be in ns and exitprof's cycles ~2.6x them (the TSC's GHz).
grep -q '\[x86-tsc\]' $T/trace_clock
check $? "trace_clock still x86-tsc with the triggers in place"

# Every thread of the L2 qemu on L1's CPU 0, so that an interval starts and
# ends on one CPU. Unpinned, in 4 runs, INTR came out at 50-131 % and CPUID
# at 101-107 % of their intervals (pinned: 33-97 % and 91-103 %); the cause
# is not isolated (suspects: intervals stamped on two L1 CPUs).
for t in /proc/"$L2_PID"/task/*; do taskset -p 1 "${t##*/}" >/dev/null || echo "taskset ${t##*/} failed"; done

vms=$KVM_VM_DIR
cp "$vms/exit_stats" /run/before
kill -CONT "$L2_PID"
sleep "$W"
pause_qemu "$L2_PID"
check $? "L2 ran $W s, paused again"
echo end >$T/trace_marker
cp "$vms/exit_stats" /run/after
echo 0 >$T/tracing_on
cat $T/events/synthetic/exitprof_lat/hist >/run/lat
cat $T/events/kvm/kvm_exit/hist >/run/last
# the end of the window on the same clock: a marker in the ring buffer
end=$(sed -n 's/.* \([0-9][0-9]*\): tracing_mark_write: end$/\1/p' $T/trace)
vcpus=$(ls -d "$vms"/vcpu* | wc -l)
grep -E 'Hits|Entries|Dropped' /run/lat | sed 's/^/lat hist| /'
grep -E 'vcpu_id|max:' /run/last | sed 's/^/last exits| /'
echo "end of the window| $end"

# before, after, the intervals' hist, the last exits' hist
awk -v end="$end" -v cpuid=$cpuid -v hlt=$hlt -v io=$io -v vcpus="$vcpus" -v tol=$TOL -v low=$LOW -v hmax=$HLT_MAX -v imax=$IO_MAX '
function check(ok, msg) {
	printf "cycles: %s %s\n", ok ? "ok  " : "FAIL", msg
	if (ok) pass++; else fail++
}
FILENAME == ARGV[1] && $1 ~ /^[0-9]+$/ { n0[$1] = $3; c0[$1] = $4; name[$1] = $2; next }
FILENAME == ARGV[2] && $1 ~ /^[0-9]+$/ { n[$1] = $3 - n0[$1]; c[$1] = $4 - c0[$1]; next }
FILENAME == ARGV[3] && /reason:/ {
	l = $0; sub(/.*reason:[ \t]*/, "", l); split(l, a, /[ \t}]/); r = a[1] + 0
	l = $0; sub(/.*hitcount:[ \t]*/, "", l); split(l, a, /[ \t]/); m[r] = a[1]
	l = $0; sub(/.*lat:[ \t]*/, "", l); split(l, a, /[ \t]/); lat[r] = a[1]
	next
}
FILENAME == ARGV[3] && /Dropped:/ { dropped = $2; next }
FILENAME == ARGV[4] && /vcpu_id:/ { l = $0; sub(/.*vcpu_id:[ \t]*/, "", l); split(l, a, /[ \t}]/); v = a[1] }
FILENAME == ARGV[4] && /max:/ { l = $0; sub(/.*max:[ \t]*/, "", l); split(l, a, /[ \t]/); last[v] = a[1] }
END {
	check(dropped == 0, "the intervals hist dropped nothing (" dropped ")")
	# the open exits: one per vCPU, from its last kvm_exit to the end marker
	open = 0; bad = 0
	for (r in n) if (n[r] - m[r] != 0) { open += n[r] - m[r]; if (n[r] - m[r] != 1) bad++ }
	for (r in m) if (!(r in n)) { bad++; printf "cycles: reason %s traced, not in exit_stats\n", r }
	olat = 0; nv = 0
	for (v in last) { olat += end - last[v]; nv++ }
	check(bad == 0 && open == nv && nv == vcpus, \
	      "trace and exitprof saw the same exits per reason, but for " open " left open by the SIGSTOP (" vcpus " vCPUs)")
	printf "cycles: %-6s %-22s %9s %16s %16s %7s %12s\n", "reason", "name", "exits", "exitprof", "trace", "ratio", "gap/exit"
	for (r in n) {
		if (n[r] == 0) continue
		t[r] = lat[r] + 0
		if (n[r] - m[r] == 1) t[r] += olat	# the open exit (one vCPU)
		ratio[r] = t[r] > 0 ? c[r] / t[r] : 0
		printf "cycles: %-6s %-22s %9d %16.0f %16.0f %6.1f%% %12.0f%s\n", r, name[r], n[r], c[r], t[r], \
		       100 * ratio[r], (t[r] - c[r]) / n[r], n[r] - m[r] ? " (1 open)" : ""
		tot_c += c[r]; tot_t += t[r]; tot_n += n[r]
	}
	printf "cycles: all reasons: %d exits, exitprof %.0f, trace %.0f (%.1f%%)\n", tot_n, tot_c, tot_t, 100 * tot_c / tot_t
	ok = n[cpuid] >= 1000 && 100 * ratio[cpuid] >= 100 - low && 100 * ratio[cpuid] <= 100 + tol
	check(ok, "CPUID (" n[cpuid] " exits): exitprof " sprintf("%.1f", 100 * ratio[cpuid]) \
	      "% of the intervals, within -" low "% and +" tol "%")
	# begin comes before the kvm_exit tracepoint: an allowance per exit
	allow = n[cpuid] ? tol / 100 * t[cpuid] / n[cpuid] : 0
	over = 0
	for (r in n) if (n[r] && c[r] > t[r] + n[r] * allow) {
		over++; printf "cycles: reason %s: exitprof %.0f cycles > trace %.0f + %d x %.0f\n", r, c[r], t[r], n[r], allow
	}
	check(over == 0, "no reason above its intervals + " sprintf("%.0f", allow) " cycles per exit (" tol "% of a CPUID interval)")
	check(n[hlt] >= 5 && 100 * ratio[hlt] <= hmax, \
	      "HLT (" n[hlt] " exits): exitprof " sprintf("%.1f", 100 * ratio[hlt]) "% of the intervals (halted), <= " hmax "%")
	check(n[io] >= 100 && 100 * ratio[io] <= imax, \
	      "IOIO (" n[io] " exits): exitprof " sprintf("%.1f", 100 * ratio[io]) "% of the intervals (QEMU user space), <= " imax "%")
	exit fail ? 1 : 0
}' /run/before /run/after /run/lat /run/last
rc=$?
[ $rc = 0 ] || sed 's/^/lat hist| /' /run/lat
check $rc "cycles against the trace"
summary

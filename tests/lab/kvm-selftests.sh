#!/bin/bash
# KVM's own x86_64 selftests (tools/testing/selftests/kvm of the patched
# tree, kernel/selftest.sh suite) in the lab's L1, twice: with Debian's stock
# kvm modules and with exitprof's (VENDOR=amd, the default: QEMU TCG; or
# intel). Under emulation some tests fail or skip either way; the check is
# that the series changes nothing: every test ends the same in both runs,
# but exit_stats_test (the series' own: skips on stock, passes on ours).
# Three tests time the guest against the host and end either way under TCG
# on a shared machine (TIMING below: each passed in one run and failed in
# another with the same stock modules); they are reported, not compared.
# Each test is bounded by KST_TIMEOUT seconds (120), rseq_test by four times
# that (a fixed 100,000 task migrations: 86-120 s under TCG on an
# idle machine, so it ended in one run and not the other); the slow ones get
# smaller arguments (tests/lab/kvm-selftests.args; memslot_perf_test runs
# only the tests that end in time under TCG, the others are timed with
# every module set by tests/lab/memslot-timing.sh). The results are compared
# with the record, tests/lab/kvm-selftests.expected (info only: timing on
# another machine may move a test across the timeout); KST_RECORD=FILE
# writes the new table (PROGRAM STOCK EXITPROF) there.
# kvm_clock_test and hyperv_clock skip unless L1's clocksource is the TSC. A
# host's TSC is stable; under TCG on a loaded machine the clocksource
# watchdog once judged it unstable in one of the two runs, so L1 boots with
# tsc=reliable (no watchdog) and each run checks its clocksource stayed tsc.
# To chase a rare failure: KST_PROGRAMS="dirty_log_test x86_64/cpuid_test ..." runs only
# those (names as in the suite's list), KST_REPEAT=N runs each N times in one
# boot per module set and prints how often each ended which way, without the
# comparison (a flake is not a difference).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test kvm-selftests amd
# hyperv_clock: "Elapsed time does not match (MSR=453826100, TSC=460358425)";
# apic_bus_clock_test: "Frequency = 22656463 (wanted 23750000 - 26250000)";
# xen_shinfo_test (waits for Xen timer events): 4.0-4.7 s in five runs, killed
# at 120 s in one with the stock modules, beside another lab (load 4).
TIMING="x86_64/hyperv_clock x86_64/apic_bus_clock_test x86_64/xen_shinfo_test"
t=${KST_TIMEOUT:-120}
[[ $t =~ ^[1-9][0-9]*$ ]] || { echo "kvm-selftests: KST_TIMEOUT must be a positive number" >&2; exit 2; }
suite=$(kernel/selftest.sh suite | tail -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/pack"
tar -C "$tmp/pack" -xJf "$suite"
grep -v '^#' tests/lab/kvm-selftests.args | grep . >"$tmp/pack/args"
rep=${KST_REPEAT:-1}
[[ $rep =~ ^[1-9][0-9]*$ ]] || { echo "kvm-selftests: KST_REPEAT must be a positive number" >&2; exit 2; }
if [ -n "${KST_PROGRAMS:-}" ]; then
	for p in $KST_PROGRAMS; do
		grep -qxF "$p" "$tmp/pack/list" ||
			{ echo "kvm-selftests: KST_PROGRAMS: '$p' is not in the suite (e.g. $(sed -n 2p "$tmp/pack/list"))" >&2; exit 2; }
	done
	# shellcheck disable=SC2086 # the names are words
	printf '%s\n' $KST_PROGRAMS >"$tmp/sel"
else
	cp "$tmp/pack/list" "$tmp/sel"
fi
for ((i = 0; i < rep; i++)); do cat "$tmp/sel"; done >"$tmp/pack/list"
rseq=$((4 * t))
printf '* %s\nrseq_test %s\n' "$t" "$rseq" >"$tmp/pack/timeout"
tar -C "$tmp/pack" -cf - . | xz -T0 -6 >"$tmp/suite.tar.xz"
n=$(wc -l <"$tmp/pack/list")
nr=$(grep -cx 'x86_64/rseq_test' "$tmp/pack/list" || true)
# L1's whole command: every program's bound and 10 s each to start it
cmd_s=$(((n - nr) * t + nr * rseq + 10 * n))

export LAB_L1_APPEND="tsc=reliable ${LAB_L1_APPEND:-}"
set +e	# each check records its own status
for m in stock exitprof; do
	if [ $m = stock ]; then export LAB_KVM_MODULES=stock; else unset LAB_KVM_MODULES; fi
	s0=$SECONDS
	lab_run "$tmp/$m.out" --cmd-timeout "$cmd_s" --timeout $((cmd_s + 900)) \
		--copy "$tmp/suite.tar.xz" --l1 tests/lab/l1-kvm-selftests.sh -- true
	sed "s/^/$m| /" "$tmp/$m.out"
	check "$rc" "lab/run with the $m modules: exit status $rc ($((SECONDS - s0)) s)"
	sed -n 's/^kst: \([^ ]*\) \(pass\|fail\|skip\|timeout\) .*/\1 \2/p' "$tmp/$m.out" >"$tmp/$m.res"
	cs=$(sed -n 's/^kst: clocksource \(before\|after\) //p' "$tmp/$m.out" | sort -u | tr '\n' ' ')
	[ "$cs" = "tsc " ]
	check $? "$m: L1's clocksource the TSC before and after the tests (${cs:-none})"
	[ "$(wc -l <"$tmp/$m.res")" = "$n" ]
	check $? "$m: a result for each of the $n programs ($(wc -l <"$tmp/$m.res")): $(awk '{ print $2 }' "$tmp/$m.res" | sort | uniq -c | tr -s ' \n' ' ')"
done
if [ "$rep" -gt 1 ]; then
	for m in stock exitprof; do
		sort "$tmp/$m.res" | uniq -c | awk -v m=$m '{ print "kvm-selftests: info " m ": " $2 " " $3 " " $1 " times" }'
	done
	summary
	exit
fi
join -a 1 -a 2 -e none -o 0,1.2,2.2 <(sort "$tmp/stock.res") <(sort "$tmp/exitprof.res") >"$tmp/both"
awk -v timing="$TIMING" 'BEGIN { split(timing, a, " "); for (i in a) skip[a[i]] }
	$1 in skip { print "kvm-selftests: info timing-dependent " $0; next }
	$1 != "x86_64/exit_stats_test" && $2 != $3 { print "kvm-selftests: differs: " $0; d++ }
	END { exit d > 0 }' "$tmp/both"
check $? "every test but exit_stats_test and the timing ones ends the same with the stock modules and exitprof's"
# (the whole suite must have it: a subset only if it names it)
if [ -z "${KST_PROGRAMS:-}" ] || grep -qx 'x86_64/exit_stats_test' "$tmp/sel"; then
	grep -qx 'x86_64/exit_stats_test skip pass' "$tmp/both"
	check $? "exit_stats_test: skip with the stock modules, pass with exitprof's ($(grep exit_stats_test "$tmp/both"))"
fi
[ -z "${KST_PROGRAMS:-}" ] || { summary; exit; }
rec=tests/lab/kvm-selftests.expected
if [ -n "${KST_RECORD:-}" ]; then
	{ echo "# PROGRAM STOCK EXITPROF"; cat "$tmp/both"; } >"$KST_RECORD"
fi
if diff <(grep -v '^#' "$rec") "$tmp/both" >"$tmp/rec.diff"; then
	echo "kvm-selftests: info the same as the record ($rec)"
else
	echo "kvm-selftests: info differs from the record ($rec, < record, > now):"
	sed 's/^/  /' "$tmp/rec.diff"
fi
summary

#!/bin/bash
# tests/analysis/run.sh BUILD: what `make test-analysis` checks.
#  1. test_analysis: handmade fixtures with known answers, every kind of bad
#     input (ASan + UBSan, in-process)
#  2. end to end: generated profiles (counts wrapping, both taxonomies)
#     must give exactly the exits gen_profile put in; with a host series
#     (gen_profile -H) also the clock offset and the kernel on the host
#     axis within one interval; series that disagree; a host-only profile
#  3. the charts from a fixture, a generated profile and a single row
#  4. a short libFuzzer run on the readers
# The last line counts all of them: "N passed, M failed".
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exitprof-run-analysis.XXXXXX")
pass=0
fail=0
result() {	# result STATUS NAME
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok   $2"
	else
		fail=$((fail + 1))
		echo "FAIL $2"
	fi
}

# 1
"$B/test_analysis" "$here/fixtures" >"$tmp/unit.log" 2>&1
rc=$?
grep -v '^test_analysis:' "$tmp/unit.log"
line=$(grep '^test_analysis: [0-9]* passed, [0-9]* failed$' "$tmp/unit.log")
if [ -n "$line" ]; then
	set -- $line
	pass=$((pass + $2))
	fail=$((fail + $4))
	[ "$rc" = 0 ] || [ "$4" != 0 ] || result 1 "test_analysis exited $rc"
else
	result 1 "test_analysis did not finish (exit $rc)"
fi

# 2: every reason's exits exactly as generated, cycles too except CPUID
# (whose cycles analysis can only take out in proportion)
check_exits() {	# check_exits DIR CPUID_CODE [skip-cpuid]: prints what differs
	awk -v cpuid=$2 -v skip="${3:-}" '
		FNR == 1 { file++ }
		/^#/ { next }
		file == 1 { want[$1] = $2; wcyc[$1] = $3; next }
		{ got[$2] = $4; gcyc[$2] = $7 }
		END {
			for (c in want) {
				if (skip && c == cpuid)
					continue
				if (got[c] != want[c])
					printf "reason %s: %s exits, want %s\n", c, got[c], want[c]
				if (c != cpuid && gcyc[c] != wcyc[c])
					printf "reason %s: %s cycles, want %s\n", c, gcyc[c], wcyc[c]
			}
			for (c in got)
				if (got[c] > 0 && !(c in want))
					printf "reason %s: %s exits, want none\n", c, got[c]
		}' "$1/expected.txt" "$1/reasons.dat"
}
for args in "-t 1 -w -s 1" "-t 2 -s 2" "-t 1 -i 50 -s 3"; do
	d=$tmp/gen-${args// /}
	name="generated profile ($args): exits as gen_profile made them"
	if ! "$B/gen_profile" -o "$d" -d 40 $args 2>"$tmp/gen.log" ||
	   ! "$B/test_analysis" --analyze "$d" >"$d/table.txt" 2>"$d/stderr.txt"; then
		cat "$tmp/gen.log" "$d/stderr.txt" 2>/dev/null
		result 1 "$name"
		continue
	fi
	cpuid=10
	[ "${args#-t 2}" != "$args" ] && cpuid=114
	bad=$(check_exits "$d" $cpuid)
	[ -z "$bad" ] || echo "$bad" | head -5
	result "$([ -z "$bad" ] && echo 0 || echo 1)" "$name"
done

# 2b: a host series with the guest's (gen_profile -H): the offset found
# within one interval, the kernel placed on the host axis within one
# interval, every exit as generated (the host's less the sampler's CPUIDs)
for args in "-t 1 -s 1 -d 30" "-t 2 -s 2 -d 20 -I 20" "-t 1 -s 3 -d 20 -i 50 -I 5"; do
	d=$tmp/host-${args// /}
	name="host + guest series ($args): offset, kernel on the host axis, exits"
	if ! "$B/gen_profile" -o "$d" -H $args 2>"$tmp/gen.log" ||
	   ! "$B/test_analysis" --analyze "$d" >"$d/table.txt" 2>"$d/stderr.txt"; then
		cat "$tmp/gen.log" "$d/stderr.txt" 2>/dev/null
		result 1 "$name"
		continue
	fi
	cpuid=10
	[ "${args#-t 2}" != "$args" ] && cpuid=114
	iv=10
	case " $args " in *" -i "*) iv=$(echo "$args" | sed 's/.*-i \([0-9]*\).*/\1/') ;; esac
	bad=$(check_exits "$d" $cpuid)
	got=$(sed -n 's/^exitprof analyze: alignment: guest time + \([0-9.]*\) s = host time.*/\1/p' "$d/stderr.txt")
	want=$(awk '$1 == "offset_ns" { print $2 }' "$d/expected-align.txt")
	kern=$(awk '$1 == "firmware" { print $3 }' "$d/phases.dat")
	bad=$bad$(awk -v got="$got" -v want="$want" -v kern="$kern" -v iv="$iv" 'BEGIN {
		e = got * 1e3 - want / 1e6; if (e < 0) e = -e
		if (got == "" || e > iv) printf "offset %s s, want %.6f s within %d ms\n", got, want / 1e9, iv
		k = kern - 0.8; if (k < 0) k = -k
		if (kern == "" || k * 1e3 > iv) printf "kernel at %s s on the host axis, want 0.8 s within %d ms\n", kern, iv
	}')
	grep -q warning "$d/stderr.txt" && bad="$bad$(grep warning "$d/stderr.txt")"
	[ -z "$bad" ] || echo "$bad" | head -5
	result "$([ -z "$bad" ] && echo 0 || echo 1)" "$name"
done

# 2c: the host counts 5000 EPT violations the guest does not (from guest
# 5.5 s, host axis 6.3 s): exit 4, the second that holds them named
d=$tmp/host-disagree
"$B/gen_profile" -o "$d" -H -d 10 -s 1 -X 5.5 2>/dev/null
"$B/test_analysis" --analyze "$d" >/dev/null 2>"$d/stderr.txt"
rc=$?
grep -q '^exitprof analyze: warning:   5\.[0-9]*\.\.6\.[0-9]* s: EPT_VIOLATION (48): host [0-9]*, guest [0-9]*, bound [0-9]*$' "$d/stderr.txt" &&
	[ "$(grep -c '^exitprof analyze: warning:   ' "$d/stderr.txt")" = 1 ] &&
	grep -q 'DISAGREE' "$d/summary.md"
ok=$?
[ "$rc" = 4 ] && [ "$ok" = 0 ] || { echo "exit $rc"; cat "$d/stderr.txt"; }
result "$([ "$rc" = 4 ] && [ "$ok" = 0 ] && echo 0 || echo 1)" "host + guest that disagree: exit 4, where named"

# 2e: the host series stops halfway: the rest is counted from the guest's
# rows, the interval the host's end falls in split by time (so +-2 exits)
d=$tmp/host-tail
"$B/gen_profile" -o "$d" -H -d 20 -s 7 2>/dev/null
n=$(wc -l <"$d/host-samples.csv")
head -n $((n / 2)) "$d/host-samples.csv" >"$d/h" && mv "$d/h" "$d/host-samples.csv"
if "$B/test_analysis" --analyze "$d" >/dev/null 2>"$d/stderr.txt"; then
	bad=$(awk 'FNR == 1 { f++ } /^#/ { next } f == 1 { w[$1] = $2; next } { g[$2] = $4 }
		END { for (c in w) { d = g[c] - w[c]; if (d > 2 || d < -2)
			printf "reason %s: %s exits, want %s (+-2)\n", c, g[c], w[c] } }' \
		"$d/expected.txt" "$d/reasons.dat")
	grep -q "note: the host series ends .* counted from the guest's rows" "$d/stderr.txt" ||
		bad="$bad no note on the guest's tail"
else
	bad=$(cat "$d/stderr.txt")
fi
[ -z "$bad" ] || echo "$bad" | head -5
result "$([ -z "$bad" ] && echo 0 || echo 1)" "host series ending halfway: the guest's rows count the rest"

# 2d: the host series alone: every reason but CPUID (the sampler's CPUIDs
# are in it, with no guest series to take them out) as generated
d=$tmp/host-only
"$B/gen_profile" -o "$d" -H -d 10 -s 4 2>/dev/null && rm "$d/samples.csv"
if "$B/test_analysis" --analyze "$d" >/dev/null 2>"$d/stderr.txt"; then
	bad=$(check_exits "$d" 10 skip-cpuid)
	# the guest's milestones have no place on the host's clock: no boot view
	grep -q '^ep_boot_view = 0$' "$d/plotvars.gp" && grep -q '^ep_finished = -1' "$d/plotvars.gp" ||
		bad="$bad a boot view or finished from unplaced milestones"
else
	bad=$(cat "$d/stderr.txt")
fi
[ -z "$bad" ] || echo "$bad" | head -5
result "$([ -z "$bad" ] && echo 0 || echo 1)" "host-only generated profile: exits as generated, no boot window"

# 3: the charts: every file, gnuplot exit 0
charts() {	# charts PROFILE_DIR
	local d=$1 f
	"$B/test_analysis" --analyze "$d" >/dev/null 2>&1 || return 1
	"$B/exitprof" plot --scripts "$top/plots" "$d" >"$d/plot.log" 2>&1 || { cat "$d/plot.log"; return 1; }
	local want="timeline share phases heatmap cycles"
	# a profile that goes on long after the boot also gets whole-profile views
	grep -q '^ep_boot_view = 1' "$d/plotvars.gp" && want="$want timeline_all share_all heatmap_all"
	for f in $want; do
		[ -s "$d/$f.png" ] && [ -s "$d/$f.svg" ] || { echo "no $d/$f.png/svg"; return 1; }
	done
}
for fx in split single; do
	mkdir -p "$tmp/charts-$fx"
	cp "$here/fixtures/$fx/"*.csv "$tmp/charts-$fx/"
	charts "$tmp/charts-$fx"
	result $? "charts (PNG, SVG) from fixtures/$fx"
done
charts "$tmp/gen--t1-w-s1"
result $? "charts (PNG, SVG) from a generated profile"
charts "$tmp/host--t1-s1-d30" && grep -q "^ep_xlabel = 'time since the VM was created" "$tmp/host--t1-s1-d30/plotvars.gp"
result $? "charts (PNG, SVG) from host + guest series, on the host axis"
charts "$tmp/host-only"
result $? "charts (PNG, SVG) from a host-only profile"

# 4
"$here/fuzz.sh" "$B/fuzz_analysis" "${FUZZ_QUICK_SECONDS:-5}" >"$tmp/fuzz.log" 2>&1
rc=$?
tail -1 "$tmp/fuzz.log"
[ "$rc" = 0 ] || tail -30 "$tmp/fuzz.log"
result $rc "libFuzzer on the readers, ${FUZZ_QUICK_SECONDS:-5} s (ASan + UBSan)"

if [ "$fail" = 0 ]; then
	rm -rf "$tmp"
else
	echo "scratch files kept in $tmp"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

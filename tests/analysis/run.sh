#!/bin/bash
# tests/analysis/run.sh BUILD: what `make test-analysis` checks.
#  1. test_analysis: handmade fixtures with known answers, every kind of bad
#     input (ASan + UBSan, in-process)
#  2. end to end: generated profiles (counts wrapping, both taxonomies)
#     must give exactly the exits gen_profile put in
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
	bad=$(awk -v cpuid=$cpuid '
		FNR == 1 { file++ }
		/^#/ { next }
		file == 1 { want[$1] = $2; wcyc[$1] = $3; next }
		{ got[$2] = $4; gcyc[$2] = $7 }
		END {
			for (c in want) {
				if (got[c] != want[c])
					printf "reason %s: %s exits, want %s\n", c, got[c], want[c]
				if (c != cpuid && gcyc[c] != wcyc[c])
					printf "reason %s: %s cycles, want %s\n", c, gcyc[c], wcyc[c]
			}
			for (c in got)
				if (got[c] > 0 && !(c in want))
					printf "reason %s: %s exits, want none\n", c, got[c]
		}' "$d/expected.txt" "$d/reasons.dat")
	[ -z "$bad" ] || echo "$bad" | head -5
	result "$([ -z "$bad" ] && echo 0 || echo 1)" "$name"
done

# 3: the charts: all eight files, gnuplot exit 0
charts() {	# charts PROFILE_DIR
	local d=$1 f
	"$B/test_analysis" --analyze "$d" >/dev/null 2>&1 || return 1
	"$top/plots/plot.sh" "$d" >"$d/plot.log" 2>&1 || { cat "$d/plot.log"; return 1; }
	local want="timeline phases heatmap cycles"
	# a profile that goes on long after the boot also gets whole-profile views
	grep -q '^ep_boot_view = 1' "$d/plotvars.gp" && want="$want timeline_all heatmap_all"
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

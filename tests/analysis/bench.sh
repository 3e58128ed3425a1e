#!/bin/bash
# tests/analysis/bench.sh BUILD: throughput and peak memory of
# `exitprof analyze` on a generated one-hour profile at a 10 ms interval
# (360000 rows), next to a one-minute one (6000 rows): streaming means the peak memory
# must not grow with the rows.  Then the same with a host series at 10 ms
# (gen_profile -H): merging holds each series' times and totals (about 20
# bytes a row), so its peak grows with the rows, by design (analysis/README.md).
# Profiles in $BENCH_DIR (default BUILD/bench).
set -euo pipefail
B=${1:-build}
dir=${BENCH_DIR:-$B/bench}
mkdir -p "$dir"
run() {	# run NAME ROWS [GEN_PROFILE_ARGS]
	local name=$1 n=$2 gen=${3:--w} p=$dir/$1 rows bytes wall user sys rss
	if [ ! -f "$p/samples.csv" ] || [ "$(cat "$p/.rows" 2>/dev/null)" != "$n" ] ||
	   [ "$B/gen_profile" -nt "$p/samples.csv" ]; then
		rm -rf "$p"
		"$B/gen_profile" -o "$p" -n "$n" -i 10 $gen 2>/dev/null
		echo "$n" >"$p/.rows"
	fi
	rows=$(($(wc -l <"$p/samples.csv") - 3))
	bytes=$(stat -c %s "$p/samples.csv")
	if [ -f "$p/host-samples.csv" ]; then
		rows=$((rows + $(wc -l <"$p/host-samples.csv") - 3))
		bytes=$((bytes + $(stat -c %s "$p/host-samples.csv")))
	fi
	# measure the second run: the input is in the page cache for both sizes
	"$B/bench_run" "$B/exitprof" analyze -o "$p/out" "$p" >/dev/null 2>&1
	read -r wall user sys rss < <("$B/bench_run" "$B/exitprof" analyze -o "$p/out" "$p")
	awk -v n="$name" -v rows="$rows" -v bytes="$bytes" -v wall="$wall" \
		-v user="$user" -v sys="$sys" -v rss="$rss" 'BEGIN {
		printf "%-11s %7d rows, %6.1f MB: %6.2f s (%.2f user, %.2f sys), %7.0f rows/s, %5.1f MB/s, peak RSS %5.1f MiB\n",
			n, rows, bytes / 1e6, wall, user, sys, rows / wall, bytes / 1e6 / wall, rss / 1024 }'
}
echo "bench: exitprof analyze on generated profiles (80 reasons, 10 ms interval, counts wrapping) in $dir"
run minute 6000
run hour 360000
run minute+host 6000 -H
run hour+host 360000 -H

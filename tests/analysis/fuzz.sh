#!/bin/bash
# tests/analysis/fuzz.sh FUZZER SECONDS: libFuzzer on the profile readers,
# seeded with the fixtures (samples, "~~~", milestones) and a generated
# host + guest profile (... "%%%", host-samples: the merged path).  The corpus grows
# in build/fuzz-corpus across runs; a crash leaves its input in build/.
set -euo pipefail
bin=${1:?usage: fuzz.sh FUZZER SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
build=$(dirname "$bin")
seeds=$build/fuzz-seeds
corpus=$build/fuzz-corpus
mkdir -p "$seeds" "$corpus"
for d in "$here"/fixtures/*/; do
	n=$(basename "$d")
	{ cat "$d/samples.csv"; if [ -f "$d/milestones.csv" ]; then printf '~~~\n'; cat "$d/milestones.csv"; fi; } >"$seeds/$n"
done
# a merged profile (samples, "~~~", milestones, "%%%", host-samples), small
if [ -x "$build/gen_profile" ]; then
	g=$build/fuzz-gen-merged
	rm -rf "$g"
	if "$build/gen_profile" -o "$g" -H -n 3 -i 200 -I 1000 -s 9 2>/dev/null; then
		{ cat "$g/samples.csv"; printf '~~~\n'; cat "$g/milestones.csv"
		  printf '%%%%%%\n'; cat "$g/host-samples.csv"; } >"$seeds/merged"
	fi
	rm -rf "$g"
fi
log=$build/fuzz.log
echo "fuzz: $secs s of libFuzzer on the CSV readers (ASan + UBSan), log in $log"
# the merged inputs go through files: in a directory of this run's own
export TMPDIR=$(mktemp -d "$build/fuzz-tmp.XXXXXX")
trap 'rm -rf "$TMPDIR"' EXIT
if ! "$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
	-dict="$here/fuzz.dict" -artifact_prefix="$build/fuzz-crash-" -print_final_stats=1 \
	"$corpus" "$seeds" >"$log" 2>&1; then
	tail -40 "$log"
	echo "fuzz: FAILED (crash input in $build/fuzz-crash-*)"
	exit 1
fi
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
echo "fuzz: ${runs:-?} inputs in $secs s, no crash, corpus $(ls "$corpus" | wc -l) files"

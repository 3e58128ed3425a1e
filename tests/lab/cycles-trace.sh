#!/bin/bash
# exitprof's cycles per exit reason against the kvm_exit -> kvm_entry
# intervals of the trace with trace_clock x86-tsc, in L1 (VENDOR=amd, the
# default: QEMU TCG, about a minute; or intel). L2's COMMAND leaves a
# workload running: CPUID bursts and port 0x80 writes (leafcheck), sleeps;
# tests/lab/cycles-trace-l1.sh lets it run for a window and compares.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test cycles amd
make -s guest
out=$(mktemp)
trap 'rm -f "$out"' EXIT
lab_run "$out" --copy build/leafcheck --copy tests/lab/lib.sh --l1 tests/lab/cycles-trace-l1.sh -- \
	'(while :; do leafcheck 3000 300; sleep 0.2; done) </dev/null >/dev/null 2>&1 & echo workload started'
cat "$out"
set +e	# each check below records its own status
check "$rc" "lab/run exit status ($rc)"
grep -qx 'workload started' "$out"
check $? "L2 started the workload"
l1_tally "$out" cycles 9
summary

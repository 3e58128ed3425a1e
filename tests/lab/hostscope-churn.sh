#!/bin/bash
# Host scope under churn (VENDOR=amd, the default here: QEMU TCG is quick, or
# intel): one boot; L2 "A" runs exitprof query, then in L1
# tests/lab/hostscope-churn-l1.sh spins a VM on the host-wide leaves while
# three other VMs come and go and nx_huge_pages flips.
# Prints every check and a closing "N passed, M failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test churn amd
make -s guest
out=$(mktemp)
trap 'rm -f "$out"' EXIT
lab_run "$out" --cmd-timeout 1800 --timeout 3600 \
	--copy build/exitprof --copy tests/lab/l1-vm.sh --copy tests/lab/lib.sh \
	--l1 tests/lab/hostscope-churn-l1.sh -- 'exitprof query'
cat "$out"
set +e	# each check below records its own status
check "$rc" "lab/run exit status ($rc)"
l1_tally "$out" churn 7
summary

#!/bin/bash
# KVM's selftest for the exitprof leaves (x86_64/exit_stats_test, patch 0004
# of the hook series) in the lab: `make -C kernel selftest` builds it static
# against the patched tree, lab/run copies it into L1 and runs it there with
# tests/lab/l1-selftest.sh while L2 is paused.  VENDOR=intel (Bochs, VMX, the
# default) or amd (QEMU TCG, SVM).  Passes only if every test point of its
# TAP output passed, none was skipped, and it exited 0.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test selftest intel
bin=$(make -s --no-print-directory -C kernel selftest | tail -n 1)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

lab_run "$out" --copy "$bin" --l1 tests/lab/l1-selftest.sh -- true
cat "$out"
set +e	# each check records its own status
check "$rc" "lab/run exit status ($rc)"
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out")
ok=$(grep -c '^ok [0-9]' "$out")
notok=$(grep -c '^not ok' "$out")
skip=$(grep -ci '^ok [0-9].*# skip\|^1\.\.0 # skip\|skip:[1-9]' "$out")
[ -n "$plan" ] && [ "$plan" -gt 0 ]; check $? "exit_stats_test printed a TAP plan (1..${plan:-none})"
[ -n "$plan" ] && [ "$ok" = "$plan" ]; check $? "every planned test point passed ($ok of ${plan:-?})"
[ "$notok" = 0 ] && [ "$skip" = 0 ]; check $? "none failed or skipped ($notok failed, $skip skipped)"
grep -qxF "# Totals: pass:$plan fail:0 xfail:0 xpass:0 skip:0 error:0" "$out"
check $? "ksft totals: pass:$plan, nothing else"
grep -qx 'l1-selftest: exit_stats_test exit status 0' "$out"
check $? "exit_stats_test exited 0"
summary

#!/bin/bash
# Lab conformance run, one boot of the nested stack (VENDOR=intel: VMX on
# Bochs, the default; VENDOR=amd: SVM on QEMU TCG):
#   in L2:  exitprof query --all, then leafcheck (SPEC §1-3 from the guest)
#   in L1:  with L2 paused, l1-compare.sh (exit_stats == KVM's accounting)
# Prints every check and a closing "N passed, M failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test conformance intel
# What SPEC §2 says per vendor: the header, how many reasons are defined, and
# reasons every boot has (external interrupt, CPUID, I/O, nested page fault).
case $vendor in
intel)
	header='taxonomy 1 (Intel SDM basic exit reasons), highest reason 85'
	ndefined=80
	live='1 10 30 48'
	readme_tag=
	;;
amd)
	# 0x0-0xa6 and 0x400-0x403
	header='taxonomy 2 (AMD APM SVM exit codes), highest reason 1027'
	ndefined=171
	live='96 114 123 1024'
	readme_tag=' amd'
	;;
esac
make -s guest
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# shellcheck disable=SC2016 # COMMAND is expanded by the shell in L2
lab_run "$out" --copy build/exitprof --copy build/leafcheck \
	--l1 tests/lab/l1-compare.sh -- \
	'exitprof query --all; a=$?; leafcheck; b=$?; [ $a = 0 ] && [ $b = 0 ]'
cat "$out"

set +e	# each check below records its own status
check "$rc" "lab/run exit status ($rc)"

# exitprof query --all: header, the reasons SPEC §2 defines, the usual ones live
grep -qxF "# exitprof interface v1, $header, scope vm" "$out"
check $? "exitprof query --all header: v1, $header, vm scope"
n=$(awk '$1 ~ /^[0-9]+$/ && NF == 5 && $5 ~ /^(enabled|zero)$/' "$out" | wc -l)
[ "$n" = "$ndefined" ]; check $? "exitprof query --all lists the $ndefined defined reasons ($n)"
for r in $live; do
	awk -v r="$r" '$1 == r && NF == 5 && $3 > 0 && $5 == "enabled" { f = 1 } END { exit !f }' "$out"
	check $? "reason $r has exits and reads as enabled"
done
grep -q '^ total - ' "$out"; check $? "exitprof query --all prints a total line"

# the in-guest and in-L1 checkers each end with their own summary
for who in leafcheck l1-compare; do
	s=$(grep "^$who: " "$out" | grep -c 'FAIL' || true)
	o=$(grep -c "^$who: ok" "$out" || true)
	[ "$o" -gt 0 ] && [ "$s" = 0 ]; check $? "$who: $o ok, $s failed"
done

# README's list of enabled reasons must be what the running KVM reports, one
# block per kernel series and vendor (AMD's codes in hex, as the APM has them).
# UPDATE_README=1 rewrites it from this run.
# shellcheck source=../../kernel/kversion.sh
ver=$(. kernel/kversion.sh && echo "$KSERIES")
live=$(awk -v hex="$readme_tag" '$1 == "exit_stats|" && $2 ~ /^[0-9]+$/ && $NF == "enabled" {
	printf (hex ? "`0x%x` %s, " : "`%d` %s, "), $2, $3 }' "$out" | sed 's/, $//')
# The blocks of later series (7.3) are in kernel/README.md.
begin="<!-- enabled-reasons $ver$readme_tag -->"
readme=README.md
grep -qsxF "$begin" kernel/README.md && readme=kernel/README.md
if [ -n "$live" ] && [ "${UPDATE_README:-}" = 1 ]; then
	awk -v b="$begin" -v l="$live" '
		$0 == b { print; print l; skip = 1; next }
		/^<!-- \/enabled-reasons -->$/ { skip = 0 }
		!skip' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
fi
doc=$(awk -v b="$begin" '$0 == b { on = 1; next } /^<!-- \/enabled-reasons -->$/ { on = 0 } on' "$readme")
[ -n "$live" ] && [ "$live" = "$doc" ]
check $? "$readme's enabled reasons for $ver$readme_tag match the running KVM (UPDATE_README=1 to refresh)"

summary

#!/bin/bash
# SMP exactness and isolation between VMs (VENDOR=intel, the default, or amd):
#   boot 1, patched KVM: L2 "A" with 2 vCPUs runs leafcheck smp (2 x N CPUID
#     at once, exact); in L1, tests/lab/isolation-l1.sh: A against KVM's own
#     accounting, a second VM with 4 vCPUs in vm and in host scope, and the
#     statistics switched off (kvm.exit_stats=0)
#   boot 2, Debian's stock kernel and KVM (also when LAB_KERNEL is another
#     kernel): the leaves answer exactly as in boot 1 with
#     the statistics off, and exitprof query says there are no leaves
# Prints every check and a closing "N passed, M failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test isolation intel
make -s guest
out=$(mktemp) stock=$(mktemp)
trap 'rm -f "$out" "$stock"' EXIT
n=10000	# as in isolation-l1.sh

# Three L2 boots inside one L1: give the command and the script time.
lab_run "$out" --smp 2 --cmd-timeout 3000 --timeout 5400 \
	--copy build/leafcheck --copy tests/lab/l1-compare.sh --copy tests/lab/l1-vm.sh --copy tests/lab/lib.sh \
	--l1 tests/lab/isolation-l1.sh -- "leafcheck dump && leafcheck smp $n && leafcheck view"
cat "$out"
set +e	# each check below records its own status
check "$rc" "lab/run exit status ($rc)"
grep -q '^leafcheck: ok   2 threads, one pinned to each online vCPU' "$out"
check $? "VM A: leafcheck smp ran on 2 vCPUs"
grep -q "^leafcheck: ok   2 vCPUs x $n CPUID at once raise reason [0-9]* by exactly $((2 * n)) + 1" "$out"
check $? "VM A: 2 vCPUs x $n CPUID at once counted exactly"
grep -q '^leafcheck: view scope=vm ' "$out"
check $? "VM A: scope vm by default"
l1_tally "$out" isolation 13 "VM B with 4 vCPUs per scope, statistics off"

# shellcheck disable=SC2016 # expanded in L2
LAB_KERNEL= LAB_L2_KERNEL= LAB_KVM_MODULES=stock lab_run "$stock" --copy build/leafcheck --copy build/exitprof -- \
	'leafcheck dump; exitprof query; echo "exitprof-status=$?"'
cat "$stock"
check "$rc" "stock KVM boot: lab/run exit status ($rc)"
off=$(sed -n 's/^C(off)| \(leafcheck: dump .*\)/\1/p' "$out")
ref=$(grep '^leafcheck: dump ' "$stock")
[ -n "$off" ] && [ "$off" = "$ref" ]
check $? "the leaves with kvm.exit_stats=0 answer exactly as stock KVM ($(echo "$ref" | grep -c .) leaf/ECX pairs)"
grep -qx 'exitprof-status=3' "$stock"
check $? "stock KVM: exitprof query exits 3 (no exitprof leaves)"

summary

#!/bin/bash
# memslot_perf_test, stock kvm modules against exitprof's, in one AMD lab
# boot (QEMU TCG L1): whether the patch or timing made it pass with one and
# fail with the other in tests/lab/kvm-selftests.sh (kernel/README.md, "KVM's own selftests").
# It runs the probe: the tree's memslot_perf_test with
# tests/lab/memslot-probe.patch, which replaces the test's 10 s alarm() (its
# bound on each wait for the guest) by timing every wait, so a run always
# completes and says by how much it would have failed. ROUNDS (6) rounds of
# the three sets, stock, exitprof's, exitprof's with kvm.exit_stats=0,
# alternating (tests/lab/memslot-timing-l1.sh), with the arguments the suite
# used to give it, -l 1 -r 1 -s 64 (all six tests), and -v.
# PROG=test: the unmodified memslot_perf_test instead, with its arguments
# in tests/lab/kvm-selftests.args (the check that they always complete).
# Prints the per-test figures of each run, then each run's RW line.
# A measurement, not a test: its exit status says only whether every run
# ended with status 0 (all of the tests' assertions held) and the lab worked.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
rounds=${ROUNDS:-6}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "memslot-timing: ROUNDS must be a positive number" >&2; exit 2; }
vendor=amd
prog=memslot-timing
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
suite=$(kernel/selftest.sh suite | tail -n 1)
out=$(dirname "$suite")
kst=$(kernel/build.sh tree)/tools/testing/selftests/kvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The probe, compiled and linked as the suite's memslot_perf_test is (the
# Makefile's own commands for it, the source and outputs swapped).
cp "$kst/memslot_perf_test.c" "$tmp/"
patch -s "$tmp/memslot_perf_test.c" <tests/lab/memslot-probe.patch
make -n -B --no-print-directory -C "$kst" CC=x86_64-linux-gnu-gcc-12 OUTPUT="$out" \
	"$out/memslot_perf_test" | grep -F -e ' memslot_perf_test.c ' -e "-o $out/memslot_perf_test" |
	sed -e "s# memslot_perf_test\.c # $tmp/memslot_perf_test.c #" \
	    -e "s#$out/memslot_perf_test\.o#$tmp/memslot_probe.o#g" \
	    -e "s#-o $out/memslot_perf_test\$#-o $tmp/memslot_probe#" >"$tmp/build.sh"
[ "$(wc -l <"$tmp/build.sh")" = 2 ] || { echo "memslot-timing: the Makefile's commands for memslot_perf_test not found" >&2; exit 1; }
(cd "$kst" && bash -e "$tmp/build.sh")
strip "$tmp/memslot_probe"

stock=$(lab/mkinitramfs.sh stock-kvm)
cp "$stock/kvm.ko" "$tmp/stock-kvm.ko"
cp "$stock/kvm-amd.ko" "$tmp/stock-kvm-amd.ko"
prog_=${PROG:-probe}
case $prog_ in
probe) args="-l 1 -r 1 -s 64" ;;
test) args=$(awk '$1 == "memslot_perf_test" { $1 = ""; print }' tests/lab/kvm-selftests.args) ;;
*) echo "memslot-timing: PROG must be probe or test" >&2; exit 2 ;;
esac
printf 'ROUNDS=%s\nSETS="stock ours off"\nARGS="%s -v"\nPROG=%s\n' "$rounds" "$args" "$prog_" >"$tmp/memslot.env"

s0=$SECONDS
lab_run "$tmp/out" --cmd-timeout $((rounds * 3 * 300 + 900)) --timeout $((rounds * 3 * 300 + 1800)) \
	--copy "$suite" --copy "$tmp/memslot_probe" --copy "$tmp/stock-kvm.ko" \
	--copy "$tmp/stock-kvm-amd.ko" --copy "$tmp/memslot.env" \
	--l1 tests/lab/memslot-timing-l1.sh -- true
cat "$tmp/out"
check "$rc" "lab/run: exit status $rc ($((SECONDS - s0)) s)"
n=$(grep -c '^mst: [0-9]* [a-z]* rc=0 ' "$tmp/out" || true)
[ "$n" = $((rounds * 3)) ]
check $? "every timed run ended with status 0 ($n of $((rounds * 3)))"

# The RW test's line of each run (its first wait: the guest's first sweep).
grep '^mst| [0-9]* [a-z]*: probe: RW: ' "$tmp/out" | sed 's/^/memslot-timing: info /' || true
summary

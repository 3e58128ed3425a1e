#!/bin/bash
# tests/bench/exits.sh: what exitprof adds to one VM exit, measured in one lab
# boot (VENDOR=intel, the default, or amd): an L2 runs rounds of CPUID while
# L1 toggles kvm.exit_stats (tests/bench/exits-l1.sh), with exitprof's
# per-vCPU counters on 1 and 2 vCPUs, then with the global-atomic variant
# (kernel/bench/global-atomic.patch) loaded in their place, on 2.
# Under emulation, TSC cycles are the emulator's: Bochs counts instructions
# (so a ratio is a ratio of code path lengths), QEMU TCG runs on wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
vendor=${VENDOR:-intel}
case $vendor in intel | amd) ;; *) echo "bench: VENDOR must be intel or amd" >&2; exit 2 ;; esac
make -s guest
# BENCH_ATOMIC_MODULES=DIR: the variant's kvm*.ko from DIR (as LAB_KVM_MODULES)
atomic=${BENCH_ATOMIC_MODULES:-}
if [ -z "$atomic" ]; then
	echo "bench: building the global-atomic variant of the modules" >&2
	atomic=$(make -s -C kernel bench-atomic)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$atomic/kvm.ko" "$tmp/kvm-atomic.ko"
cp "$atomic/kvm-$vendor.ko" "$tmp/kvm-$vendor-atomic.ko"
rc=0
lab/run --vendor "$vendor" --cmd-timeout 3000 --timeout 5400 \
	--copy build/leafcheck --copy tests/lab/l1-vm.sh \
	--copy "$tmp/kvm-atomic.ko" --copy "$tmp/kvm-$vendor-atomic.ko" \
	--l1 tests/bench/exits-l1.sh -- true >"$tmp/out" || rc=$?
grep '^bench ' "$tmp/out" || true
[ "$rc" = 0 ] || { echo "bench: the lab run failed (status $rc)" >&2; exit 1; }
awk -v vendor="$vendor" '
/^bench [a-z0-9:-]+\| leafcheck: bench (on|off):/ {
	l = $2; sub(/\|$/, "", l); s = $5; sub(/:$/, "", s); med[l, s] = $7
	m = $0; sub(/.*; min /, "", m); sub(/,.*/, "", m); min[l, s] = m
	if (!(l in seen)) { seen[l] = 1; order[++n] = l }
}
END {
	printf "bench: one CPUID exit in the %s lab, TSC cycles, statistics off -> on\n", vendor
	printf "  (min: the quickest round, no interrupt in it; under Bochs a ratio of path lengths)\n"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, kv, ":")
		printf "  %-14s %s vCPU  median %7.1f -> %7.1f (%+.2f %%)  min %7.1f -> %7.1f (%+.2f %%)\n",
			kv[1], kv[2], med[k, "off"], med[k, "on"], (med[k, "on"] / med[k, "off"] - 1) * 100,
			min[k, "off"], min[k, "on"], (min[k, "on"] / min[k, "off"] - 1) * 100
	}
	if (("global-atomic:2", "on") in med && ("per-vcpu:2", "on") in med)
		printf "  global-atomic / per-vCPU, 2 vCPUs, statistics on: %.4f (different VMs, same boot)\n",
			med["global-atomic:2", "on"] / med["per-vcpu:2", "on"]
}' "$tmp/out"

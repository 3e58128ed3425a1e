#!/bin/bash
# lab/run fails a run whose L1 shows a kernel report: a module that makes
# one at load (tests/lab/warn/, built against the patched tree of `make -C
# kernel modules`, or of LAB_KERNEL's build) is loaded by the L1 script;
# lab/run must exit 122 and print the report. VENDOR=amd (the default:
# seconds) or intel. WARN_MODE picks the report (exitprof_warn.c): warn
# (WARN_ON, the default), lockdep, sleep, kasan (these three need the
# KERNEL_DEBUG=1 kernel as LAB_KERNEL).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test warn amd
mode=${WARN_MODE:-warn}
case $mode in
warn) want='WARNING: CPU: .*exitprof_warn_init' ;;
lockdep) want='WARNING: possible circular locking dependency detected' ;;
sleep) want='BUG: sleeping function called from invalid context' ;;
kasan) want='BUG: KASAN: slab-out-of-bounds in exitprof_warn_kasan' ;;
*) echo "warn: WARN_MODE must be warn, lockdep, sleep or kasan" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${LAB_KERNEL:-}" ]; then
	# the kernel's own build tree (modules_install links it)
	tree=$(readlink -f "$(find "$LAB_KERNEL/lib/modules" -mindepth 2 -maxdepth 2 -name build | head -n1)")
	rel=$(basename "$(dirname "$(find "$LAB_KERNEL/lib/modules" -mindepth 2 -maxdepth 2 -name build | head -n1)")")
else
	make -s -C kernel modules >/dev/null
	tree=$(make -s --no-print-directory -C kernel tree)
	# shellcheck source=../../kernel/kversion.sh
	rel=$(. kernel/kversion.sh && echo "$KREL")
fi
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$tree/.config")
cp tests/lab/warn/exitprof_warn.c tests/lab/warn/Kbuild "$tmp/"
make -s -C "$tree" KERNELRELEASE="$rel" CC="$cc" HOSTCC="$cc" M="$tmp" modules >&2
printf '%s\n' "insmod /usr/local/bin/exitprof_warn.ko mode=$mode && echo \"exitprof_warn loaded\"" >"$tmp/l1.sh"

lab_run "$tmp/out" --copy "$tmp/exitprof_warn.ko" --l1 "$tmp/l1.sh" -- true 2>"$tmp/err" || true
cat "$tmp/err" >&2
set +e	# each check records its own status
[ "$rc" = 122 ]
check $? "lab/run exits 122 when L1 reports ($mode, exit $rc)"
grep -q "FAILED in stage .*a kernel report" "$tmp/err"
check $? "lab/run says that a kernel report failed the run"
grep -q "$want" "$tmp/err"
check $? "lab/run prints the report: $want"
summary

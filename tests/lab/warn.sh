#!/bin/bash
# lab/run fails a run whose L1 shows a kernel report: a module that does
# WARN_ON(1) at load (tests/lab/warn/, built against the patched tree of
# `make -C kernel modules`) is loaded by the L1 script; lab/run must exit
# 122 and print the report. VENDOR=amd (the default: seconds) or intel.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
vendor=${VENDOR:-amd}
prog=warn
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C kernel modules >/dev/null
tree=$(make -s --no-print-directory -C kernel tree)
# shellcheck source=../../kernel/kversion.sh
. kernel/kversion.sh
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$tree/.config")
cp tests/lab/warn/exitprof_warn.c tests/lab/warn/Kbuild "$tmp/"
make -s -C "$tree" KERNELRELEASE="$KREL" CC="$cc" HOSTCC="$cc" M="$tmp" modules >&2
printf '%s\n' 'insmod /usr/local/bin/exitprof_warn.ko && echo "exitprof_warn loaded"' >"$tmp/l1.sh"

lab_run "$tmp/out" --copy "$tmp/exitprof_warn.ko" --l1 "$tmp/l1.sh" -- true 2>"$tmp/err" || true
cat "$tmp/err" >&2
set +e	# each check records its own status
[ "$rc" = 122 ]
check $? "lab/run exits 122 when L1 warns (exit $rc)"
grep -q "FAILED in stage .*a kernel report" "$tmp/err"
check $? "lab/run says that a kernel report failed the run"
grep -q 'WARNING: CPU: .*exitprof_warn_init' "$tmp/err"
check $? "lab/run prints the WARNING with the function that warned"
summary

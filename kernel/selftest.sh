#!/bin/bash
# Build the KVM selftest of the hook series (x86_64/exit_stats_test, patch
# 0004) against the patched tree that `build.sh tree` prepares: only the
# uapi headers, the selftests library and that one program, statically
# linked so it runs in the lab's busybox L1.  Output in $CACHE/$KREL/selftest;
# prints the program's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
test=x86_64/exit_stats_test
tree=$("$here/build.sh" tree)
out=$(dirname "$tree")/selftest
log() { echo "selftest: $*" >&2; }

# The tree's compiler, as build.sh uses it (headers need only the host one).
cc=x86_64-linux-gnu-gcc-12
command -v "$cc" >/dev/null || { log "$cc not found (apt-get install gcc-12)"; exit 1; }
command -v ccache >/dev/null && cc="ccache $cc"
export CCACHE_DIR=${CCACHE_DIR:-${EXITPROF_CACHE:-$HOME/.cache/exitprof}/ccache}

grep -q "^TEST_GEN_PROGS_x86_64 += $test\$" "$tree/tools/testing/selftests/kvm/Makefile" ||
	{ log "$tree has no $test: is patch 0004 in the series?"; exit 1; }

# usr/include of the tree: what the selftests Makefile takes as KHDR_INCLUDES
log "make headers"
make -s -C "$tree" -j"$(nproc)" CC="$cc" HOSTCC="$cc" headers >&2
log "building $test (static)"
mkdir -p "$out"
make -s -C "$tree/tools/testing/selftests/kvm" -j"$(nproc)" CC="$cc" \
	OUTPUT="$out" LDFLAGS="-static -pthread -no-pie" "$out/$test" >&2
echo "$out/$test"

#!/bin/bash
# KVM selftests built against the patched tree that `build.sh tree` prepares
# (only the uapi headers, the selftests library and the programs).
#   selftest.sh        the series' own exit_stats_test (patch 0004; under
#                      x86_64/ in 6.12 and 6.1, x86/ in 7.3),
#                      statically linked so it runs in the lab's busybox L1;
#                      output in $CACHE/$KREL/selftest; prints its path
#   selftest.sh suite  the whole x86_64 suite (TEST_GEN_PROGS_x86_64, the
#                      tree's tests, exit_stats_test among them) in
#                      $CACHE/$KREL/kvm-selftests; prints the path of
#                      suite.tar.xz: the programs stripped, "list", one per
#                      line in the Makefile's order, and lib/libgcc_s.so.1.
#                      Linked dynamically: static, the 85 programs are 85 MB;
#                      L1 has the host's libc (it runs the host's qemu), but
#                      not libgcc_s, which glibc's pthread_cancel() loads
#                      (static or not): run them with LD_LIBRARY_PATH=lib.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=$("$here/build.sh" tree)
log() { echo "selftest: $*" >&2; }

# The tree's compiler, as build.sh uses it (headers need only the host one).
cc=x86_64-linux-gnu-gcc-12
command -v "$cc" >/dev/null || { log "$cc not found (apt-get install gcc-12)"; exit 1; }
command -v ccache >/dev/null && cc="ccache $cc"
export CCACHE_DIR=${CCACHE_DIR:-${EXITPROF_CACHE:-$HOME/.cache/exitprof}/ccache}
kst=$tree/tools/testing/selftests/kvm
# Newer trees (7.3) renamed x86_64/ to x86/, with the lists in Makefile.kvm.
if [ -d "$kst/x86" ]; then test=x86/exit_stats_test mk=Makefile.kvm
else test=x86_64/exit_stats_test mk=Makefile; fi

grep -qE "^TEST_GEN_PROGS_x86(_64)? \+= $test\$" "$kst/$mk" ||
	{ log "$tree has no $test: is patch 0004 in the series?"; exit 1; }

# usr/include of the tree: what the selftests Makefile takes as KHDR_INCLUDES
log "make headers"
make -s -C "$tree" -j"$(nproc)" CC="$cc" HOSTCC="$cc" headers >&2
case "${1:-}" in
"")
	out=$(dirname "$tree")/selftest
	log "building $test (static)"
	mkdir -p "$out"
	make -s -C "$kst" -j"$(nproc)" CC="$cc" OUTPUT="$out" \
		LDFLAGS="-static -pthread -no-pie" "$out/$test" >&2
	echo "$out/$test"
	;;
suite)
	out=$(dirname "$tree")/kvm-selftests
	log "building the x86_64 KVM selftests"
	mkdir -p "$out"
	make -s -C "$kst" -j"$(nproc)" CC="$cc" OUTPUT="$out" >&2
	rm -rf "$out/pack"
	mkdir -p "$out/pack"
	# the Makefile's own list of x86_64 programs, in its order
	make -s --no-print-directory -C "$kst" OUTPUT="$out" -f Makefile -f - print-progs \
		<<<'print-progs: ; @printf "%s\n" $(patsubst $(OUTPUT)/%,%,$(TEST_GEN_PROGS))' \
		>"$out/pack/list"
	while read -r p; do
		install -D -m 755 "$out/$p" "$out/pack/$p"
		strip "$out/pack/$p"
	done <"$out/pack/list"
	install -D -m 644 "$(readlink -f "$("${cc#ccache }" -print-file-name=libgcc_s.so.1)")" \
		"$out/pack/lib/libgcc_s.so.1"
	tar -C "$out/pack" -cf - . | xz -T"$(nproc)" -6 >"$out/suite.tar.xz.tmp"
	mv "$out/suite.tar.xz.tmp" "$out/suite.tar.xz"
	log "$(wc -l <"$out/pack/list") programs"
	echo "$out/suite.tar.xz"
	;;
*)
	echo "usage: $0 [suite]" >&2
	exit 2
	;;
esac

#!/bin/bash
# Build exitprof's KVM for Debian's stock kernel from Debian's kernel source.
#
#   build.sh modules   kvm.ko, kvm-intel.ko, kvm-amd.ko for the stock kernel,
#                      debug info stripped, in $CACHE/$KREL/modules (printed)
#   build.sh kernel    a complete patched kernel (bzImage + modules) in
#                      $CACHE/$KREL/full-$KERNEL_CONFIG[-debug] (printed):
#                      KERNEL_CONFIG=lean (default) x86_64_defconfig +
#                      config/kvm-host.config, release $KVER-exitprof;
#                      KERNEL_DEBUG=1 adds config/debug.config (lockdep,
#                      KASAN), release $KVER-exitprof-debug;
#                      KERNEL_EXIT_STATS=0 (lean only) the same kernel with
#                      the feature off, CONFIG_KVM_EXIT_STATS=n (a control
#                      for attributing a failure), release suffix -nostats;
#                      KERNEL_CONFIG=debian the stock config, all 4000+
#                      modules (hours), release $KREL-exitprof
#   build.sh kernel-dir  print that directory
#   build.sh tree      only prepare the patched tree (prints its path)
#   build.sh bench-atomic  the modules with bench/global-atomic.patch (make
#                      bench's comparison), in $CACHE/$KREL/modules-atomic
#
# Each build tree is a copy of the pristine source with the series for
# $KSERIES applied, nothing else: the series creates the new files too
# (src/ is only a copy of them for the user-space tools), and the build
# turns its option on, CONFIG_KVM_EXIT_STATS=y, on top of the stock config.
# Trees are kept in the cache and updated in place: a changed series is
# reversed and re-applied, so rebuilds recompile just what changed.
set -euo pipefail
# tree=$(prepare_tree ...) must stop on a failed patch, not mark it applied
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kversion.sh
. "$here/kversion.sh"
dir=$("$here/fetch.sh")
hdr=$dir/pkg/usr/src/linux-headers-$KREL
patches=$here/patches/$KSERIES

# The stock kernel was built with this compiler, the first word of its
# CONFIG_CC_VERSION_TEXT (6.12: x86_64-linux-gnu-gcc-12, 6.1: gcc-12); the
# config check below (olddefconfig) wants the very same.  Where that one is
# not on bookworm (7.3: gcc-14), versions/$KSERIES.env names the one to use
# (KCC) and the check tolerates exactly the tool_syms below.
cc=${KCC:-$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$hdr/.config")}
command -v "$cc" >/dev/null || { echo "build: $cc not found (apt-get install gcc-12)" >&2; exit 1; }
for t in bc bison flex pahole patch; do
	command -v $t >/dev/null || { echo "build: $t not found (see README: make deps)" >&2; exit 1; }
done
# A rustc on PATH changes CONFIG_RUSTC_VERSION against the stock config.
PATH=$(echo "$PATH" | tr : '\n' | grep -v '/\.cargo/' | paste -sd:)
if command -v ccache >/dev/null; then
	export CCACHE_DIR=${CCACHE_DIR:-${EXITPROF_CACHE:-$HOME/.cache/exitprof}/ccache}
	cc="ccache $cc"
fi
mk=(make -j"$(nproc)" CC="$cc" HOSTCC="$cc")

log() { echo "build: $*" >&2; }

# prepare_tree NAME: prints the path of the patched tree $dir/NAME
prepare_tree() {
	local tree=$dir/$1 state
	if [ ! -d "$tree" ]; then
		log "copying pristine source to $tree"
		rm -rf "$tree.tmp"	# left by an interrupted copy
		cp -a "$dir/linux-source-$KSERIES" "$tree.tmp"
		mv "$tree.tmp" "$tree"
	fi
	state=$tree/.exitprof-series
	if ! diff -rq "$patches" "$state" >/dev/null 2>&1; then
		if [ -d "$state" ]; then
			log "reversing the previously applied series"
			for p in $(ls -r "$state"/*.patch); do
				patch -s -R -p1 -d "$tree" <"$p"
			done
			rm -rf "$state"
		fi
		# the files the series creates, where a tree of an older build.sh
		# had them copied in from src/
		for f in $(awk '/^diff --git /{f = substr($4, 3)} /^new file mode/{print f}' \
			   "$patches"/*.patch); do
			[ -e "$dir/linux-source-$KSERIES/$f" ] || rm -f "$tree/$f"
		done
		for p in "$patches"/*.patch; do
			log "applying $(basename "$p")"
			patch -s -p1 --forward -d "$tree" <"$p"
		done
		cp -r "$patches" "$state"
	fi
	echo "$tree"
}

# The stock kernel's BTF, for check_layout and so that the modules get .BTF
# like stock ones: 6.12's headers package ships a BTF-only vmlinux; 6.1's
# does not, but the image itself has it: scripts/extract-vmlinux unpacks the
# stock vmlinuz's ELF vmlinux (symbols stripped, .BTF kept), once.
stock_btf() {
	local out=$dir/vmlinux-btf
	if [ -e "$hdr/vmlinux" ]; then
		echo "$hdr/vmlinux"
		return
	fi
	if [ ! -s "$out" ]; then
		log "extracting the stock vmlinux from vmlinuz-$KREL for its BTF"
		"$dir/linux-source-$KSERIES/scripts/extract-vmlinux" \
			"$dir/pkg/boot/vmlinuz-$KREL" >"$out.tmp"
		grep -q ' \.BTF ' <(readelf -S "$out.tmp") ||
			{ log "no .BTF section in vmlinuz-$KREL"; exit 1; }
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# Config symbols olddefconfig may change because this machine's tools are
# not the ones the stock kernel was built with (7.3: Debian trixie's gcc-14,
# binutils 2.44, pahole 1.30 and rustc 1.85; bookworm has gcc-12, 2.40,
# 1.24 and no usable rustc).  None can change the module ABI; kernel/README.md
# says why for each.  Any other change still fails the build.
tool_syms=(
	# the tools' versions, as recorded (what they enable is below)
	CC_VERSION_TEXT GCC_VERSION AS_VERSION LD_VERSION PAHOLE_VERSION
	# compiler capabilities that only choose how code is generated
	CC_HAS_ASM_GOTO_OUTPUT CC_HAS_ASM_GOTO_TIED_OUTPUT GCC_ASM_GOTO_OUTPUT_BROKEN
	CC_HAS_ASSUME CC_HAS_MIN_FUNCTION_ALIGNMENT CC_HAS_SANE_FUNCTION_ALIGNMENT
	CC_OPT_INLINE_MEMSET CC_HAS_KASAN_SW_TAGS
	# the host openssl's key types for module signing (stock signs with RSA)
	OPENSSL_SUPPORTS_ML_DSA
	# Rust, and what only Rust code builds (no C header depends on it)
	RUSTC_VERSION RUSTC_VERSION_TEXT RUSTC_LLVM_VERSION RUSTC_LLVM_MAJOR_VERSION
	BINDGEN_VERSION_TEXT RUST_IS_AVAILABLE RUST RUST_OVERFLOW_CHECKS
	RUST_FW_LOADER_ABSTRACTIONS RUST_PHYLIB_ABSTRACTIONS AX88796B_RUST_PHY
	AMCC_QT2025_PHY DRM_PANIC_SCREEN_QR_CODE DRM_PANIC_SCREEN_QR_CODE_URL
	DRM_PANIC_SCREEN_QR_VERSION
)

# config_lines FILE: its set symbols, sorted, without the tool_syms
config_lines() {
	grep -v '^#' "$1" | grep -vE "^CONFIG_($(IFS='|'; echo "${tool_syms[*]}"))=" | sort
}

# configure TREE RELEASE: the stock config plus CONFIG_KVM_EXIT_STATS=y,
# otherwise unchanged by olddefconfig (but for the tool_syms)
configure() {
	local tree=$1 rel=$2 btf tools on=CONFIG_KVM_EXIT_STATS=y
	[ -e "$tree/.exitprof-configured-$rel" ] && grep -qx "$on" "$tree/.config" &&
		return 0
	log "configuring $tree as $rel from the stock config, $on"
	rm -f "$tree/.exitprof-prepared"
	cp "$hdr/.config" "$tree/.config"
	echo "$on" >>"$tree/.config"
	cp "$hdr/Module.symvers" "$tree/Module.symvers"
	# BTF-only vmlinux: modules get .BTF like stock
	btf=$(stock_btf)
	cp "$btf" "$tree/vmlinux"
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" olddefconfig >&2
	if ! diff <(config_lines "$hdr/.config") \
		  <(config_lines "$tree/.config" | grep -vx "$on") >&2; then
		log "olddefconfig changed the stock config (see diff above)"
		exit 1
	fi
	tools=$(diff <(grep -v '^#' "$hdr/.config" | sort) <(grep -v '^#' "$tree/.config" | sort) |
		sed -n 's/^[<>] CONFIG_\([A-Z0-9_]*\)=.*/\1/p' | grep -vx KVM_EXIT_STATS |
		sort -u | paste -sd' ') || true
	[ -z "$tools" ] || log "olddefconfig changed tool symbols only: $tools"
	grep -qx "$on" "$tree/.config" || { log "olddefconfig dropped $on"; exit 1; }
	touch "$tree/.exitprof-configured-$rel"
}

# Code built into the stock kernel image writes struct kvm_vcpu (e.g.
# vcpu->stat in kvm_handle_signal_exit()): every member it knows must keep
# its stock offset and size, or the patched modules corrupt memory.
# (Alignment attributes are left out: offsets and sizes say the layout, and
# DWARF and BTF do not record the same attributes.  pahole 1.24 skips the BTF
# kinds it does not know, decl and type tags of a 7.3 built with pahole 1.30:
# no member's offset or size depends on them.)
check_layout() {
	local ko=$1 btf members='s/ __attribute__\(\(__aligned__\([0-9]+\)\)\)//g; s/[[:space:]]+/ /g'
	btf=$(stock_btf)
	diff <(pahole -C kvm_vcpu -F btf "$btf" 2> >(grep -v '^BTF: idx: [0-9]*, Unknown kind' >&2) |
	       grep -E '^\s+\S.*;\s+/\*' | sed -E "$members") \
	     <(pahole -C kvm_vcpu -F dwarf "$ko" | grep -E '^\s+\S.*;\s+/\*' | sed -E "$members" |
	       grep -v ' exit_stats; ') >&2 ||
		{ log "struct kvm_vcpu layout differs from the stock kernel's (see diff)"; exit 1; }
	log "struct kvm_vcpu layout matches the stock kernel up to exit_stats"
}

# build_modules TREE OUT: kvm*.ko of tree $dir/TREE (prepared) into $dir/OUT
build_modules() {
	local tree=$dir/$1 out=$dir/$2 m
	configure "$tree" "$KREL"
	if [ ! -e "$tree/.exitprof-prepared" ]; then
		log "modules_prepare"
		"${mk[@]}" -C "$tree" KERNELRELEASE="$KREL" modules_prepare >&2
		touch "$tree/.exitprof-prepared"
	fi
	log "building arch/x86/kvm"
	"${mk[@]}" -C "$tree" KERNELRELEASE="$KREL" M=arch/x86/kvm modules >&2
	check_layout "$tree/arch/x86/kvm/kvm.ko"
	mkdir -p "$out"
	for m in kvm kvm-intel kvm-amd; do
		strip --strip-debug -o "$out/$m.ko.tmp" "$tree/arch/x86/kvm/$m.ko"
		mv "$out/$m.ko.tmp" "$out/$m.ko"
	done
	echo "$out"
}

# KERNEL_CONFIG and KERNEL_DEBUG (environment) name the complete kernel:
# kname (its tree build-$kname and output directory) and rel (its release).
kernel_vars() {
	KERNEL_CONFIG=${KERNEL_CONFIG:-lean}
	[ "${KERNEL_DEBUG:-0}" = 0 ] && KERNEL_DEBUG=
	case $KERNEL_CONFIG in
	lean) kname=full-lean rel=$KVER-exitprof ;;
	debian)
		[ -z "$KERNEL_DEBUG" ] || { log "KERNEL_DEBUG=1 is for KERNEL_CONFIG=lean"; exit 2; }
		kname=full-debian rel=$KREL-exitprof ;;
	*) log "KERNEL_CONFIG must be lean or debian, not '$KERNEL_CONFIG'"; exit 2 ;;
	esac
	if [ -n "$KERNEL_DEBUG" ]; then
		[ "$KERNEL_DEBUG" = 1 ] || { log "KERNEL_DEBUG must be 0 or 1, not '$KERNEL_DEBUG'"; exit 2; }
		kname=full-debug rel=$rel-debug
	fi
	case ${KERNEL_EXIT_STATS:=1} in
	1) ;;
	0)
		[ "$KERNEL_CONFIG" = lean ] || { log "KERNEL_EXIT_STATS=0 is for KERNEL_CONFIG=lean"; exit 2; }
		kname=$kname-nostats rel=$rel-nostats ;;
	*) log "KERNEL_EXIT_STATS must be 0 or 1, not '$KERNEL_EXIT_STATS'"; exit 2 ;;
	esac
}

# configure_lean TREE RELEASE: x86_64_defconfig + config/kvm-host.config
# (+ config/debug.config, + config/no-exit-stats.config); every line of the
# fragments (the last one for an option) must hold in the result, so a
# dependency that olddefconfig drops is an error, not a surprise.
configure_lean() {
	local tree=$1 rel=$2 frags=("$here/config/kvm-host.config") stamp bad
	[ -z "$KERNEL_DEBUG" ] || frags+=("$here/config/debug.config")
	[ "$KERNEL_EXIT_STATS" = 1 ] || frags+=("$here/config/no-exit-stats.config")
	stamp=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
	[ -e "$tree/.exitprof-lean-$stamp" ] && return 0
	log "configuring $tree as $rel: x86_64_defconfig + ${frags[*]##*/}"
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" x86_64_defconfig >&2
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "${frags[@]}" >&2
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" olddefconfig >&2
	bad=$(cat "${frags[@]}" | grep -E '^(CONFIG_|# CONFIG_)' |
		awk '{ o = $1 == "#" ? $2 : $1; sub(/=.*/, "", o) } !(o in l) { k[n++] = o } { l[o] = $0 }
			END { for (i = 0; i < n; i++) print l[k[i]] }' | while read -r l; do
		case $l in
		"# CONFIG_"*) o=${l#\# }; o=${o%% *}
			! grep -q "^$o=" "$tree/.config" || echo "$l" ;;
		*) grep -qx "$l" "$tree/.config" || echo "$l" ;;
		esac
	done)
	[ -z "$bad" ] || { log "olddefconfig did not keep these fragment lines:"; echo "$bad" >&2; exit 1; }
	rm -f "$tree"/.exitprof-lean-*
	touch "$tree/.exitprof-lean-$stamp"
}

# The stock config names Debian's signing key, which is not shipped: sign
# with a key of our own at the same path, as any self-built kernel does.
sign_key() {
	local tree=$1 key
	key=$(sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$/\1/p' "$tree/.config")
	if [ -n "$key" ] && [ "$key" != certs/signing_key.pem ] && [ ! -e "$tree/$key" ]; then
		log "generating a module signing key at $key"
		mkdir -p "$(dirname "$tree/$key")"
		openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
			-config "$tree/certs/default_x509.genkey" -outform PEM \
			-out "$tree/$key" -keyout "$tree/$key" 2>/dev/null
	fi
}

case "${1:-}" in
tree)
	prepare_tree build-modules
	;;
modules)
	prepare_tree build-modules >/dev/null
	build_modules build-modules modules
	;;
bench-atomic)
	# make bench only: the common alternative, one global array of atomics,
	# in a tree of its own: the benchmark patch comes off before the series
	# is brought up to date and goes on again after
	tree=$dir/build-atomic
	if [ -e "$tree/.exitprof-bench" ]; then
		patch -s -R -p1 -d "$tree" <"$tree/.exitprof-bench"
		rm "$tree/.exitprof-bench"
	fi
	prepare_tree build-atomic >/dev/null
	patch -s -p1 -d "$tree" <"$here/bench/global-atomic.patch"
	cp "$here/bench/global-atomic.patch" "$tree/.exitprof-bench"
	build_modules build-atomic modules-atomic
	;;
kernel)
	kernel_vars
	tree=$(prepare_tree "build-$kname")
	if [ "$KERNEL_CONFIG" = debian ]; then
		configure "$tree" "$rel"
		sign_key "$tree"
	else
		configure_lean "$tree" "$rel"
	fi
	# two steps, each timed: the bzImage alone is what a quick check needs
	t0=$SECONDS
	log "building bzImage as $rel ($KERNEL_CONFIG config${KERNEL_DEBUG:+, debug})"
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" bzImage >&2
	log "bzImage built in $((SECONDS - t0)) s; building the modules"
	t0=$SECONDS
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" modules >&2
	log "modules built in $((SECONDS - t0)) s"
	out=$dir/$kname
	rm -rf "$out"
	mkdir -p "$out/boot"
	cp "$tree/arch/x86/boot/bzImage" "$out/boot/vmlinuz-$rel"
	cp "$tree/.config" "$out/boot/config-$rel"
	cp "$tree/System.map" "$out/boot/System.map-$rel"
	"${mk[@]}" -C "$tree" KERNELRELEASE="$rel" INSTALL_MOD_PATH="$out" \
		INSTALL_MOD_STRIP=1 modules_install >&2
	echo "$out"
	;;
kernel-dir)
	kernel_vars
	echo "$dir/$kname"
	;;
*)
	echo "usage: $0 modules|kernel|kernel-dir|tree|bench-atomic" >&2
	exit 2
	;;
esac

#!/bin/bash
# Download Debian's kernel packages for $KREL and unpack them into the cache:
#   $CACHE/$KREL/pkg/         stock image (boot/vmlinuz-*, lib/modules/*) and headers
#                             (linux-headers-$KREL with .config and Module.symvers,
#                             and the -common package its symlinks point into)
#   $CACHE/$KREL/linux-source-$KSERIES/   pristine Debian source tree (kept unpatched)
# Prints the cache directory. Idempotent: does nothing when already unpacked.
#
# KSUITE (from versions/$KSERIES.env) names a suite this machine's apt does
# not have (7.3: trixie-backports): the packages then come through a private
# apt configuration under $CACHE/apt/$KSUITE (its own sources list, lists and
# state), from the mirror and with the keyring of the machine's
# /etc/apt/sources.list.d/debian.sources; the machine's /etc/apt is not touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# KSERIES picks kernel/versions/$KSERIES.env; EXITPROF_KVERSION_ENV names another file
if [ -n "${EXITPROF_KVERSION_ENV:-}" ]; then
	# shellcheck source=versions/6.12.env
	. "$EXITPROF_KVERSION_ENV"
else
	# shellcheck source=kversion.sh
	. "$here/kversion.sh"
fi
cache=${EXITPROF_CACHE:-$HOME/.cache/exitprof}
dir=$cache/$KREL
if [ -e "$dir/.fetched" ]; then
	echo "$dir"
	exit 0
fi
apt=()
if [ -n "${KSUITE:-}" ]; then
	srcs=/etc/apt/sources.list.d/debian.sources
	mirror=$(sed -n 's/^URIs:[[:space:]]*//p' "$srcs" | head -n1)
	keyring=$(sed -n 's/^Signed-By:[[:space:]]*//p' "$srcs" | head -n1)
	[ -n "$mirror" ] && [ -r "$keyring" ] ||
		{ echo "fetch: no mirror or keyring in $srcs" >&2; exit 1; }
	a=$cache/apt/$KSUITE
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	echo "deb [signed-by=$keyring] $mirror $KSUITE main" >"$a/sources.list"
	: >"$a/status"
	apt=(-o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
	     -o Dir::State="$a" -o Dir::State::Lists="$a/lists" -o Dir::State::status="$a/status"
	     -o Dir::Cache="$a/cache" -o APT::Sandbox::User=root)
	echo "fetch: apt-get update of $KSUITE ($mirror, keys of $keyring)" >&2
	# apt refuses a Release file whose signature it cannot verify (update
	# fails); a warning about a signature is fatal here too
	out=$(apt-get "${apt[@]}" -q update 2>&1) ||
		{ echo "$out" >&2; echo "fetch: apt-get update of $KSUITE failed" >&2; exit 1; }
	if grep -E 'GPG|NO_PUBKEY|not signed|signature' <<<"$out" >&2; then
		echo "fetch: $KSUITE's Release signature did not verify against $keyring" >&2
		exit 1
	fi
fi
mkdir -p "$dir/debs" "$dir/pkg"
cd "$dir/debs"
# download PKG=VERSION...; apt's _apt user cannot write into root's home: let
# it download as root quietly
download() {
	echo "fetch: downloading $*" >&2
	apt-get "${apt[@]}" -q download "$@" 2>&1 | grep -v 'unsandboxed' >&2 || true
}
pkgs=("linux-source-$KSERIES" "linux-image-$KREL" "linux-headers-$KREL")
download "${pkgs[@]/%/=$KPKGVER}"
# The packages the image and the headers need of their own version: Debian
# splits the headers (linux-headers-$KREL links into linux-headers-*-common),
# and from 7.x the image too (linux-image-$KREL is empty and depends on
# linux-binary-$KREL for vmlinuz, linux-modules-$KREL and linux-base-$KREL).
mapfile -t deps < <(for p in "linux-image-$KREL" "linux-headers-$KREL"; do
	ls "${p}_"*.deb 2>/dev/null | head -n1 | xargs -r dpkg-deb -f | tr , '\n' |
		sed -n "s/^ *\(linux-[a-z0-9.+-]*\) (= $KPKGVER)\$/\1/p" |
		awk -v r="$KREL" '/^linux-headers-.*-common$/ ||
			$0 == "linux-base-" r || $0 == "linux-binary-" r || $0 == "linux-modules-" r'
done | sort -u)
[ ${#deps[@]} = 0 ] || download "${deps[@]/%/=$KPKGVER}"
for p in "${pkgs[@]}" "${deps[@]}"; do
	deb=$(ls "${p}_"*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { echo "fetch: download of $p $KPKGVER failed" >&2; exit 1; }
	dpkg-deb -x "$deb" "$dir/pkg"
done
# 7.x's packages put everything under usr/lib/modules/$KREL (vmlinuz too):
# give the tree the layout of the older ones that the lab reads
if [ ! -e "$dir/pkg/boot/vmlinuz-$KREL" ] && [ -e "$dir/pkg/usr/lib/modules/$KREL/vmlinuz" ]; then
	mkdir -p "$dir/pkg/boot"
	ln -s "../usr/lib/modules/$KREL/vmlinuz" "$dir/pkg/boot/vmlinuz-$KREL"
	[ -e "$dir/pkg/lib" ] || ln -s usr/lib "$dir/pkg/lib"
fi
[ -e "$dir/pkg/boot/vmlinuz-$KREL" ] && [ -d "$dir/pkg/lib/modules/$KREL/kernel" ] ||
	{ echo "fetch: no vmlinuz-$KREL or modules in the image packages" >&2; exit 1; }
echo "fetch: unpacking linux-source-$KSERIES" >&2
rm -rf "$dir/linux-source-$KSERIES"
tar -C "$dir" -xf "$dir/pkg/usr/src/linux-source-$KSERIES.tar.xz"
rm -f "$dir/pkg/usr/src/linux-source-$KSERIES.tar.xz" "$dir"/debs/*.deb
touch "$dir/.fetched"
echo "$dir"

#!/bin/bash
# Download Debian's kernel packages for $KREL and unpack them into the cache:
#   $CACHE/$KREL/pkg/         stock image (boot/vmlinuz-*, lib/modules/*) and headers
#                             (linux-headers-$KREL with .config and Module.symvers,
#                             and the -common package its symlinks point into)
#   $CACHE/$KREL/linux-source-$KSERIES/   pristine Debian source tree (kept unpatched)
# Prints the cache directory. Idempotent: does nothing when already unpacked.
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
mkdir -p "$dir/debs" "$dir/pkg"
cd "$dir/debs"
pkgs=(linux-source-$KSERIES="$KPKGVER" linux-image-$KREL="$KPKGVER"
      linux-headers-$KREL="$KPKGVER")
echo "fetch: downloading ${pkgs[*]}" >&2
# apt's _apt user cannot write into root's home: let it download as root quietly
apt-get -q download "${pkgs[@]}" 2>&1 | grep -v 'unsandboxed' >&2 || true
# Debian splits the headers: linux-headers-$KREL links into linux-headers-*-common
hdrdep=$(ls "linux-headers-${KREL}_"*.deb 2>/dev/null | head -n1 | xargs -r dpkg-deb -f |
	grep -oE 'linux-headers-[^ ,]+-common \(= [^)]+\)' | head -n1 | tr -d '()' | sed 's/ = /=/') || true
if [ -n "$hdrdep" ]; then
	echo "fetch: downloading $hdrdep" >&2
	apt-get -q download "$hdrdep" 2>&1 | grep -v 'unsandboxed' >&2 || true
fi
for p in linux-source-$KSERIES linux-image-$KREL linux-headers-$KREL ${hdrdep:+${hdrdep%%=*}}; do
	deb=$(ls "${p}_"*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { echo "fetch: download of $p $KPKGVER failed" >&2; exit 1; }
	dpkg-deb -x "$deb" "$dir/pkg"
done
echo "fetch: unpacking linux-source-$KSERIES" >&2
rm -rf "$dir/linux-source-$KSERIES"
tar -C "$dir" -xf "$dir/pkg/usr/src/linux-source-$KSERIES.tar.xz"
rm -f "$dir/pkg/usr/src/linux-source-$KSERIES.tar.xz" "$dir"/debs/*.deb
touch "$dir/.fetched"
echo "$dir"

#!/bin/bash
# Edit the hook series with git, the way it would be sent upstream.
#   series.sh edit [FILE...]  make $CACHE/$KREL/series: a git tree of the
#                      files the series touches plus FILE... (pristine, tagged
#                      base), then `git am` of the series
#   series.sh export   write its commits back to patches/$KSERIES/ with
#                      git format-patch, signed off by your git identity,
#                      and the files under arch/x86/ the series creates to
#                      src/ (a copy for the user-space tools and tests,
#                      which build the leaf code too; checkpatch.sh checks
#                      that every series creates them just so)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kversion.sh
. "$here/kversion.sh"
dir=$("$here/fetch.sh")
src=$dir/linux-source-$KSERIES
tree=$dir/series
patches=$here/patches/$KSERIES

# new_files PATCH...: the paths under arch/x86/ the patches create
new_files() {
	awk '/^diff --git /{f = substr($4, 3)} /^new file mode/{print f}' "$@" |
		grep '^arch/x86/'
}

case "${1:-}" in
edit)
	rm -rf "$tree"
	mkdir -p "$tree"
	shift
	# a new series starts empty: its files are the FILE... arguments
	mkdir -p "$patches"
	files=$({ cat /dev/null "$patches"/*.patch 2>/dev/null |
		  grep '^+++ b/' | cut -c7- || true
		  printf '%s\n' "$@"; } | sort -u)
	# files the series creates are not in the pristine source
	for f in $files; do
		[ -e "$src/$f" ] && install -D -m 644 "$src/$f" "$tree/$f"
	done
	git -C "$tree" init -q
	git -C "$tree" add -A
	git -C "$tree" commit -q -m "pristine $KREL"
	git -C "$tree" tag base
	if ls "$patches"/*.patch >/dev/null 2>&1; then
		git -C "$tree" am -q "$patches"/*.patch
	fi
	echo "$tree"
	;;
export)
	git -C "$tree" rebase -q --signoff base
	rm -f "$patches"/*.patch
	git -C "$tree" format-patch -q --no-signature -o "$patches" base
	rm -rf "$here/src"
	for f in $(new_files "$patches"/*.patch); do
		install -D -m 644 "$tree/$f" "$here/src/$f"
	done
	ls "$patches"
	;;
*)
	echo "usage: $0 edit [FILE...] | export" >&2
	exit 2
	;;
esac

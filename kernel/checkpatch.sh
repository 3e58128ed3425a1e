#!/bin/bash
# Kernel style: scripts/checkpatch.pl --strict from the source of kernel
# $KSERIES on its series (which creates the new source files too).  Fails
# on any error, warning or check.  (make checkpatch runs it for every series.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kversion.sh
. "$here/kversion.sh"
src=$("$here/fetch.sh")/linux-source-$KSERIES
# spdxcheck.py reads LICENSES/ from a git repo at the root: give it one.
if [ ! -d "$src/.git" ]; then
	git -C "$src" init -q
	git -C "$src" add -f LICENSES
	git -C "$src" -c user.name=exitprof -c user.email=exitprof@localhost \
		commit -q -m "LICENSES for spdxcheck.py"
fi
export PATH=/usr/bin:$PATH	# spdxcheck.py needs Debian python3-ply
cp=(perl "$src/scripts/checkpatch.pl" --strict --no-summary --terse
    --show-types --root="$src")
# A patch that adds files makes checkpatch ask whether MAINTAINERS needs
# updating.  It does not when each new file is one that an entry already
# covers: F: dir/ covers what is in and below dir, other F: patterns are
# globs; the KVM x86 entry has arch/x86/kvm/, arch/x86/include/asm/kvm* and
# tools/testing/selftests/kvm/x86_64/.
maintained() {
	local f p n=0 ok
	grep -qE '^(deleted file mode|rename from) ' "$1" && return 1
	for f in $(awk '/^diff --git /{f = substr($4, 3)} /^new file mode/{print f}' "$1"); do
		ok=
		while read -r p; do
			case $p in
			*/) [ "${f#"$p"}" != "$f" ] && ok=1 ;;
			*) # shellcheck disable=SC2053 # $p is a glob
			   [[ $f == $p ]] && ok=1 ;;
			esac
			[ -n "$ok" ] && break
		done < <(sed -n 's/^F:\t//p' "$src/MAINTAINERS")
		[ -n "$ok" ] || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}

# new_file PATCHES PATH: the text of PATH as the patches create it
new_file() {
	awk -v want="$2" '/^diff --git /{on = 0; f = substr($4, 3)}
		/^new file mode/ && f == want {on = 1; next}
		on && /^@@ / {body = 1; next}
		on && body && /^\+/ {print substr($0, 2)}' "$1"/*.patch
}

rc=0
for p in "$here/patches/$KSERIES"/*.patch; do
	extra=()
	maintained "$p" && extra=(--ignore FILE_PATH_CHANGES)
	"${cp[@]}" "${extra[@]}" "$p" || rc=1
done
# src/ is series.sh export's copy of the files the series creates under
# arch/x86/ (the user-space tools and tests build from it): every series
# must create exactly those, with the same text.
want=$(cd "$here/src" && find . -type f | sed 's|^\./||' | sort)
have=$(awk '/^diff --git /{f = substr($4, 3)} /^new file mode/{print f}' \
	"$here/patches/$KSERIES"/*.patch | grep '^arch/x86/' | sort)
if [ "$want" != "$have" ]; then
	echo "checkpatch: the $KSERIES series creates other files than src/ has:" >&2
	diff <(echo "$want") <(echo "$have") >&2
	rc=1
fi
for f in $have; do
	cmp -s <(new_file "$here/patches/$KSERIES" "$f") "$here/src/$f" || {
		echo "checkpatch: src/$f differs from what the $KSERIES series creates" >&2
		rc=1
	}
done
[ $rc = 0 ] && echo "checkpatch --strict: clean"
exit $rc

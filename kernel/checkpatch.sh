#!/bin/bash
# Kernel style: scripts/checkpatch.pl --strict from the source of kernel
# $KSERIES on its hook series and on every new source file.  Fails on any
# error, warning or check.  (make checkpatch runs it for every series.)
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
# updating.  It does not when the patch only adds files and each one is in a
# directory that an entry already lists (F: dir/), as the KVM x86 entry lists
# tools/testing/selftests/kvm/x86_64/ for the selftest.
maintained() {
	local f n=0
	grep -qE '^(deleted file mode|rename from) ' "$1" && return 1
	for f in $(awk '/^diff --git /{f = substr($4, 3)} /^new file mode/{print f}' "$1"); do
		grep -qxF "F:	$(dirname "$f")/" "$src/MAINTAINERS" || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}
rc=0
for p in "$here/patches/$KSERIES"/*.patch; do
	extra=()
	maintained "$p" && extra=(--ignore FILE_PATH_CHANGES)
	"${cp[@]}" "${extra[@]}" "$p" || rc=1
done
while read -r f; do
	# X-macro tables are lists of invocations, not statements
	case $f in */exit_reason_table.h) extra=(--ignore MACRO_ARG_REUSE);; *) extra=();; esac
	"${cp[@]}" "${extra[@]}" -f "$f" || rc=1
done < <(find "$here/src" -type f -name '*.[ch]' | sort)
[ $rc = 0 ] && echo "checkpatch --strict: clean"
exit $rc

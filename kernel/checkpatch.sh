#!/bin/bash
# Kernel style: scripts/checkpatch.pl --strict from the kernel source on every
# hook patch and every new source file.  Fails on any error, warning or check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=version.env
. "$here/version.env"
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
rc=0
for p in "$here"/patches/*/*.patch; do
	"${cp[@]}" "$p" || rc=1
done
while read -r f; do
	# X-macro tables are lists of invocations, not statements
	case $f in */exit_reason_table.h) extra=(--ignore MACRO_ARG_REUSE);; *) extra=();; esac
	"${cp[@]}" "${extra[@]}" -f "$f" || rc=1
done < <(find "$here/src" -type f -name '*.[ch]' | sort)
[ $rc = 0 ] && echo "checkpatch --strict: clean"
exit $rc

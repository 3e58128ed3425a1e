# shellcheck shell=bash
# Shared by the lab tests (sourced; set prog and vendor first): the pass/fail
# tally and one boot of the lab.
pass=0 fail=0
check() { # STATUS TEXT
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "$prog: ok   $2"
	else
		fail=$((fail + 1)); echo "$prog: FAIL $2"
	fi
}

# lab_run OUT ARGS...: lab/run --vendor $vendor ARGS >OUT; its status in $rc.
# QEMU TCG's nested SVM now and then hangs an L2 before its first console line
# or leaves L1 frozen (lab/run notices both: exit 125). A stack that failed so
# says nothing about exitprof: on AMD, boot it again, up to twice. Test failures
# are never retried.
lab_run() {
	local out=$1 try
	shift
	for try in 1 2 3; do
		rc=0
		lab/run --vendor "$vendor" "$@" >"$out" || rc=$?
		[ "$rc" = 125 ] && [ "$vendor" = amd ] && [ $try -lt 3 ] || break
		echo "$prog: the AMD stack hung (exit 125, try $try); booting it again" >&2
	done
}

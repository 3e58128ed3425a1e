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
# QEMU TCG's nested SVM sometimes hangs an L2 before its first console line
# (seen once in about ten AMD boots). A stack that did not come up (125) says
# nothing about exitprof: boot it once more. Test failures are never retried.
lab_run() {
	local out=$1
	shift
	rc=0
	lab/run --vendor "$vendor" "$@" >"$out" || rc=$?
	if [ "$rc" = 125 ] && [ "$vendor" = amd ]; then
		echo "$prog: the AMD stack did not come up (exit 125); booting it once more" >&2
		rc=0
		lab/run --vendor "$vendor" "$@" >"$out" || rc=$?
	fi
}

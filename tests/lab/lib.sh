# shellcheck shell=sh
# Shared by the lab tests on the host and, copied in with --copy, by their
# scripts in L1 (busybox sh): the pass/fail tally, and one boot of the lab.
# Set prog (and vendor, for lab_run) first.
pass=0 fail=0
check() { # STATUS TEXT
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "$prog: ok   $2"
	else
		fail=$((fail + 1)); echo "$prog: FAIL $2"
	fi
}
# The closing line; false if a check failed.
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
# lab_run OUT ARGS...: lab/run --vendor $vendor ARGS >OUT; its status in $rc.
lab_run() {
	_out=$1
	shift
	rc=0
	lab/run --vendor "$vendor" "$@" >"$_out" || rc=$?
}

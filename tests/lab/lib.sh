# shellcheck shell=sh
# Shared by the lab tests on the host and, copied in with --copy, by their
# scripts in L1 (busybox sh): the pass/fail tally, and one boot of the lab.
# Set prog (and vendor, for lab_run) first: lab_test on the host.
pass=0 fail=0
# lab_test NAME DEFAULT: a lab test's name (prog, the tally's prefix) and its
# vendor: $VENDOR, or DEFAULT; intel or amd.
lab_test() {
	prog=$1 vendor=${VENDOR:-$2}
	case $vendor in intel | amd) ;; *) echo "$prog: VENDOR must be intel or amd" >&2; exit 2 ;; esac
}
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
# l1_tally OUT NAME MIN [TEXT]: one check of an L1 script's own tally in
# OUT: at least MIN "NAME: ok" lines and no "NAME: FAIL" line.
l1_tally() {
	_o=$(grep -c "^$2: ok" "$1")
	_f=$(grep -c "^$2: FAIL" "$1")
	[ "$_o" -ge "$3" ] && [ "$_f" = 0 ]
	check $? "in L1: $_o ok, $_f failed${4:+ ($4)}"
}
# lab_run OUT ARGS...: lab/run --vendor $vendor ARGS >OUT; its status in $rc.
lab_run() {
	_out=$1
	shift
	rc=0
	lab/run --vendor "$vendor" "$@" >"$_out" || rc=$?
}

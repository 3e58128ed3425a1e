#!/bin/bash
# tests/unit/cli.sh EXITPROF DESTDIR: the command line of every subcommand,
# and the charts drawn by an installed exitprof (DESTDIR, from `make
# install`) outside the source tree.
#  - `exitprof CMD --help`, `-h` and `exitprof help CMD`: the same text on
#    stdout, exit 0; `exitprof --help`, `help`, `--version`
#  - a usage error: exit 2, one line naming it, then "try 'exitprof CMD
#    --help'"
#  - exitprof plot: plotvars.gp missing (exit 1), gnuplot missing (exit 3),
#    the scripts found from the installed binary, every chart drawn
set -u
exitprof=$1
destdir=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exitprof-cli.XXXXXX")
pass=0 fail=0
ok() {	# ok STATUS NAME
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "ok   $2"
	else
		fail=$((fail + 1)); echo "FAIL $2"
	fi
}
run() {	# run ARGS...: $rc, $tmp/out, $tmp/err
	"$exitprof" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

for cmd in query sample record analyze plot; do
	run "$cmd" --help
	cp "$tmp/out" "$tmp/help"
	good=$([ $rc = 0 ] && [ ! -s "$tmp/err" ] && head -1 "$tmp/out" | grep -q "^usage: exitprof $cmd" && echo 0 || echo 1)
	run "$cmd" -h
	cmp -s "$tmp/out" "$tmp/help" && [ $rc = 0 ] || good=1
	run help "$cmd"
	cmp -s "$tmp/out" "$tmp/help" && [ $rc = 0 ] || good=1
	ok "$good" "exitprof $cmd --help, -h and exitprof help $cmd: its usage, exit 0"
done

run --help
good=$([ $rc = 0 ] && grep -q '^Exit status:' "$tmp/out" && echo 0 || echo 1)
cp "$tmp/out" "$tmp/help"
run help
cmp -s "$tmp/out" "$tmp/help" && [ $rc = 0 ] || good=1
ok "$good" "exitprof --help and exitprof help: the synopsis and the exit statuses"
run --version
[ $rc = 0 ] && grep -qx 'exitprof [0-9.]* (interface v[0-9]*)' "$tmp/out"
ok $? "exitprof --version"

# a usage error: exit 2, the problem on one line, the way to the help on the next
usage_error() {	# usage_error HINT_CMD MESSAGE_RE ARGS...
	local hint=$1 re=$2
	shift 2
	run "$@"
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 2 ] &&
		head -1 "$tmp/err" | grep -q -- "$re" &&
		[ "$(tail -1 "$tmp/err")" = "try '$hint --help'" ]
	ok $? "usage error, one line and a hint: exitprof $*"
	[ "$(wc -l <"$tmp/err")" = 2 ] || sed 's/^/    /' "$tmp/err"
}
usage_error exitprof 'no command' 
usage_error exitprof "unknown command 'frob'" frob
usage_error exitprof "unknown option '--frob'" --frob
usage_error "exitprof query" "unrecognized option '--bogus'" query --bogus
usage_error "exitprof query" "'x' is not an exit reason number" query x
usage_error "exitprof query" "one of N or --all" query --all 3
usage_error "exitprof record" "choose the VM" record
usage_error "exitprof record" "--interval '0'" record --next -i 0
usage_error "exitprof analyze" "no PROFILE_DIR" analyze
usage_error "exitprof analyze" "invalid option -- 'x'" analyze -x dir
usage_error "exitprof plot" "no RESULTS_DIR" plot
usage_error "exitprof plot" "one RESULTS_DIR only" plot a b
usage_error "exitprof help" "unknown command 'frob'" help frob
usage_error "exitprof sample" "unrecognized option '--bogus'" sample --bogus
usage_error "exitprof sample" "--interval '0'" sample -i 0
usage_error "exitprof sample" "unexpected argument 'x'" sample x

# exitprof plot, installed: the scripts from BINDIR/../share/exitprof/plots
inst=$destdir/usr/bin/exitprof
res=$tmp/example
if [ -x "$inst" ] && [ -f "$destdir/usr/share/exitprof/plots/timeline.gp" ]; then
	ok 0 "make install puts exitprof and the chart scripts in DESTDIR"
else
	ok 1 "make install puts exitprof and the chart scripts in DESTDIR"
fi
"$inst" plot "$res" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "plotvars.gp not found: run 'exitprof analyze" "$tmp/err"
ok $? "exitprof plot on a directory not analysed: exit 1, says what to run"
"$inst" analyze -o "$res" "$top/plots/example" >/dev/null 2>&1
mkdir -p "$tmp/nognuplot"
ln -s "$(command -v dirname)" "$tmp/nognuplot/"
PATH=$tmp/nognuplot "$inst" plot "$res" >"$tmp/out" 2>"$tmp/err"
[ $? = 3 ] && grep -q 'gnuplot not found on PATH' "$tmp/err"
ok $? "exitprof plot without gnuplot: exit 3, says what to install"
"$inst" plot --scripts "$tmp" "$res" >"$tmp/out" 2>"$tmp/err"
[ $? = 3 ] && grep -q "chart scripts .* are not in $tmp\$" "$tmp/err"
ok $? "exitprof plot --scripts DIR without them: exit 3"
if command -v gnuplot >/dev/null; then
	# from another directory, so nothing of the source tree is at hand
	(cd / && "$inst" plot "$res") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	good=$([ $rc = 0 ] && echo 0 || echo 1)
	# the five always; timeline_all, share_all, heatmap_all too when the
	# profile runs on long after the boot: every chart listed must exist
	for c in timeline share heatmap phases cycles $(sed -n "s|^$res/\(.*_all\)\.png$|\1|p" "$tmp/out"); do
		if ! { [ -s "$res/$c.png" ] && [ -s "$res/$c.svg" ] && grep -qx "$res/$c.png" "$tmp/out"; }; then
			echo "    no $c.png/svg, or not listed"
			good=1
		fi
	done
	[ "$good" = 0 ] || sed 's/^/    /' "$tmp/err"
	ok "$good" "installed exitprof plot draws plots/example's charts (PNG, SVG)"
else
	echo "skip installed exitprof plot: no gnuplot (make deps installs gnuplot-nox)"
fi

# a build/exitprof of a source tree finds that tree's plots/
mkdir -p "$tmp/src/build"
cp "$exitprof" "$tmp/src/build/exitprof"
ln -s "$top/plots" "$tmp/src/plots"
if command -v gnuplot >/dev/null; then
	(cd / && "$tmp/src/build/exitprof" plot "$res") >"$tmp/out" 2>"$tmp/err" &&
		grep -qx "$res/timeline.png" "$tmp/out"
	ok $? "build/exitprof plot finds the source tree's plots/"
fi

[ $fail = 0 ] && rm -rf "$tmp"
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]

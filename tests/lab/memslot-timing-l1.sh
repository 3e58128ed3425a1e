#!/bin/sh
# Runs in L1 (busybox sh) for tests/lab/memslot-timing.sh: memslot_perf_test
# with the suite's arguments, as the probe (the test with its 10 s alarm()
# replaced by timing each wait), ROUNDS times with Debian's stock kvm modules
# with exitprof's and with exitprof's switched off (kvm.exit_stats=0): SETS,
# alternating in this one boot (SETS in order, then reversed, ...) so all see
# the same machine. Then, once per module set, its RW test alone with the
# kvm_exit hist trigger: the exits per reason.
# Output: "mst: ROUND SET rc=N SECONDSs", the probe's lines as
# "mst| ROUND SET: ...", the hist as "mst-hist| SET: ...".
# Env from lab/run: L2_PID. Files (--copy): suite.tar.xz, memslot_probe,
# stock-kvm.ko, stock-kvm-amd.ko, memslot.env (ROUNDS, SETS, ARGS, PROG:
# probe, or test for the suite's unmodified memslot_perf_test, no hist run).
set -u
B=/usr/local/bin
# shellcheck source=/dev/null # written by tests/lab/memslot-timing.sh
. $B/memslot.env
# shellcheck source=lab/l1-lib.sh
. /lab/l1-lib.sh
kill -KILL "$L2_PID"	# the lab's L2 holds KVM; its memory is better free
wait "$L2_PID" 2>/dev/null
d=/tmp/kst
mkdir -p $d
tar -xJf $B/suite.tar.xz -C $d || { echo "mst: unpack failed"; exit 1; }
LD_LIBRARY_PATH=$d/lib
export LD_LIBRARY_PATH
T=/sys/kernel/tracing/events/kvm/kvm_exit
lab_trace_off	# the lab's, from boot: off for the timed runs and the rmmods
up() { cut -d' ' -f1 /proc/uptime; }
if [ "$PROG" = probe ]; then bin=$B/memslot_probe; else bin=$d/memslot_perf_test; fi

load() { # stock|ours|off (off: exitprof's modules, kvm.exit_stats=0)
	{ rmmod kvm_amd && rmmod kvm; } || { echo "mst: rmmod failed"; exit 1; }
	case $1 in
	stock) insmod $B/stock-kvm.ko && insmod $B/stock-kvm-amd.ko ;;
	ours) insmod /lab/mod/kvm.ko && insmod /lab/mod/kvm-amd.ko ;;
	off) insmod /lab/mod/kvm.ko exit_stats=0 && insmod /lab/mod/kvm-amd.ko ;;
	esac || { echo "mst: loading the $1 modules failed"; exit 1; }
	# the difference between the sets that must hold
	k=$(cat /sys/module/kvm/parameters/exit_stats 2>/dev/null) || k=stock
	case $1:$k in stock:stock | ours:Y | off:N) ;; *) echo "mst: wanted $1, kvm.exit_stats is $k"; exit 1 ;; esac
}

run() { # ROUND SET ARGS...
	r=$1 s=$2
	shift 2
	t0=$(up)
	# shellcheck disable=SC2086 # the arguments are words
	$bin "$@" </dev/null >/tmp/mst.out 2>&1
	rc=$?
	echo "mst: $r $s rc=$rc $(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }')s"
	sed "s/^/mst| $r $s: /" /tmp/mst.out
}

echo "mst: info $(uname -r), $(nproc) CPUs, $ROUNDS rounds of $SETS, ${bin##*/} $ARGS"
rev=
for s in $SETS; do rev="$s $rev"; done
i=1
while [ $i -le "$ROUNDS" ]; do
	if [ $((i % 2)) = 1 ]; then order=$SETS; else order=$rev; fi
	for s in $order; do
		load "$s"
		# shellcheck disable=SC2086
		run $i "$s" $ARGS
	done
	i=$((i + 1))
done
[ "$PROG" = probe ] || exit 0
for s in $SETS; do
	load "$s"
	echo "$LAB_HIST" >$T/trigger
	# shellcheck disable=SC2086
	run hist $s $ARGS -f 5 -e 5
	grep -v '^#' $T/hist | grep . | sed "s/^/mst-hist| $s: /"
	lab_trace_off
done

#!/bin/bash
# lab/run notices a stuck stack within LAB_STUCK_S (here 20), however it is
# stuck (VENDOR=amd, the default: seconds; or intel):
#   spinning: an L1 script pins a SCHED_FIFO busy loop to each L1 CPU
#     (tests/lab/stuck/spin.c): L1's heartbeat stops while L0 runs flat out
#   asleep: L0 is SIGSTOPped once L1 is up: nothing runs at all
# Each must end with exit 123 and say why. And a reset one: L1 triple-faults
# (reboot=t, sysrq b): exit 125 at once, with the state QEMU logged (AMD).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test stuck amd
make -s guest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -static -o "$tmp/spin" tests/lab/stuck/spin.c
export LAB_STUCK_S=20

cat >"$tmp/l1-spin.sh" <<'EOS'
#!/bin/sh
/usr/local/bin/spin
EOS
t0=$SECONDS
lab_run "$tmp/spin.out" --copy "$tmp/spin" --l1 "$tmp/l1-spin.sh" -- true 2>"$tmp/spin.err"
t=$((SECONDS - t0))
sed 's/^/spin| /' "$tmp/spin.err"
set +e	# each check below records its own status
[ "$rc" = 123 ]
check $? "L1 spinning: lab/run exits 123 ($rc) after $t s"
grep -q 'L1 is stuck: no heartbeat for [0-9]* s while L0 used [0-9]* s of CPU' "$tmp/spin.err"
check $? "L1 spinning: it says L1 is stuck and what L0 used"

# asleep: stop L0 (lab/run's child) once L1's heartbeat runs
set -e
lab/run --vendor "$vendor" -- 'sleep 600' >"$tmp/sleep.out" 2>"$tmp/sleep.err" &
run=$!
l0=
for _ in $(seq 600); do
	l0=$(pgrep -P "$run" -f 'qemu-system|bochs' || true)
	# its run directory: that of its -D (QEMU's log) or -f (bochsrc)
	work=$([ -z "$l0" ] || dirname "$(tr '\0' '\n' <"/proc/$l0/cmdline" | grep -A1 -x -e -D -e -f | tail -n 1)")
	[ -z "$l0" ] || ! grep -aqs ':l1:hb=' "$work/console.log" || break
	sleep 1
done
set +e
[ -n "$l0" ] && kill -STOP "$l0"
check $? "L0 (pid ${l0:-none}) stopped"
t0=$SECONDS
wait "$run"
rc=$? t=$((SECONDS - t0))
sed 's/^/sleep| /' "$tmp/sleep.err"
[ "$rc" = 123 ]
check $? "L0 asleep: lab/run exits 123 ($rc) after $t s"
grep -q 'L1 is stuck: no heartbeat for [0-9]* s while L0 used 0 s of CPU' "$tmp/sleep.err"
check $? "L0 asleep: it says L1 is stuck and that L0 used no CPU"

if [ "$vendor" = amd ]; then
	printf '#!/bin/sh\necho b >/proc/sysrq-trigger\nsleep 600\n' >"$tmp/l1-reset.sh"
	t0=$SECONDS
	LAB_L1_APPEND="reboot=t ${LAB_L1_APPEND:-}" lab_run "$tmp/reset.out" --l1 "$tmp/l1-reset.sh" -- true 2>"$tmp/reset.err"
	t=$((SECONDS - t0))
	sed 's/^/reset| /' "$tmp/reset.err"
	[ "$rc" = 125 ]
	check $? "L1 reset: lab/run exits 125 ($rc) after $t s"
	grep -q 'L1 was reset' "$tmp/reset.err" && grep -q 'paging on (triple fault)' "$tmp/reset.err" &&
		grep -q '^RIP=' "$tmp/reset.err"
	check $? "L1 reset: it says so, with L1's RIP before the reset"
fi
summary

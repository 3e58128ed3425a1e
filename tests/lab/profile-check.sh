#!/bin/bash
# tests/lab/profile-check.sh DIR: checks a profile the sampler collected in
# a real boot (samples.csv, milestones.csv; sampler/FORMAT.md).
#   - header: magic and version 1, metadata, columns
#   - time_ns strictly increasing; lateness against the absolute grid
#     t0 + k * interval (drift would make it grow): the median sample starts
#     within a tenth of the interval after its tick and at least 80 % within
#     a quarter (nested emulation wakes late now and then; measured here:
#     median 56 us, 92 % within 2.5 ms at 10 ms)
#   - every row: 0 <= sum of reasons - total <= next row's total - total
#     (mod 2^32; a sweep reads the total first, then the reasons, while the
#     VM goes on exiting: a sweep preempted in the guest saw 1236 more)
#   - no count goes backwards (mod 2^32), no cycles decrease
#   - milestones kernel, userspace, sysinit.target, basic.target,
#     multi-user.target and finished present and in order (initrd only with
#     an initrd that runs systemd: Debian's initramfs-tools does not)
#   - the first sample is taken before sysinit.target
#   - external interrupts (Intel reason 1, AMD 0x60) are at most
#     MAX_EXTINT_PCT (10) % of the exits from VM creation to the last sample
#     before "finished", the sampler's own CPUIDs left out: the lab's timer
#     storm (lab/README.md) must not come back (AMD: reported only)
#   - the sampler's own CPUIDs to "finished" are at most MAX_SELF_PCT (5) %
#     of the boot's exits
#   - host-samples.csv, if there: source=host, its first row before the
#     VM's first exit (total 0), its last past "finished"
# Prints one line per check and "N passed, M failed".
set -uo pipefail
dir=${1:?usage: profile-check.sh PROFILE_DIR}
s=$dir/samples.csv m=$dir/milestones.csv
prog=profile-check
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
[ -f "$s" ] && [ -f "$m" ]; check $? "$dir has samples.csv and milestones.csv"
[ "$(sed -n 1p "$s")" = "# exitprof-samples v1" ]; check $? "samples.csv: magic and version 1"
[ "$(sed -n 1p "$m")" = "# exitprof-milestones v1" ]; check $? "milestones.csv: magic and version 1"

awk -F, '
function fail(msg) { if (!bad[msg]++) printf "profile-check: row %d: %s\n", NR, msg; errors++ }
NR == 2 { k = split($0, f, " "); for (i = 2; i <= k; i++) { split(f[i], kv, "="); meta[kv[1]] = kv[2] }
	  ival = meta["interval_ms"] * 1000000; next }
NR == 3 { ncol = NF; if ($1 != "time_ns" || $4 != "self_cpuid") fail("column header"); next }
NR > 3 {
	if (NF != ncol) fail("column count")
	if (rows && $1 <= pt) fail("time_ns not increasing")
	if (!rows) t0 = $1
	late = ($1 - t0) % ival
	if (late <= ival / 4) ontime++
	if (late <= ival / 10) tenth++
	# the previous row: its reasons were all read before this total
	if (rows) {
		dt = ($2 - p[2]) % 4294967296; if (dt < 0) dt += 4294967296
		if (pd > dt) fail("the row above: sum of reasons - total = " pd ", more than the " dt " exits until this row")
	}
	sum = 0
	for (i = 5; i <= NF; i += 2) sum += $i
	pd = (sum - $2) % 4294967296; if (pd < 0) pd += 4294967296
	if (rows) for (i = 2; i <= NF; i++) {
		if (i == 4) continue
		if (i == 2 || (i >= 5 && i % 2 == 1)) {	# 32-bit counts
			dd = ($i - p[i]) % 4294967296; if (dd < 0) dd += 4294967296
			if (dd >= 2147483648) fail("count column " i " went backwards")
		} else if ($i < p[i]) fail("cycles column " i " decreased")
	}
	for (i = 2; i <= NF; i++) p[i] = $i
	pt = $1; rows++
}
END {
	# the last row has no next total to bound it from above
	if (rows && pd >= 2147483648) { print "profile-check: last row: sum of reasons below total"; errors++ }
	printf "profile-check: %d samples, interval %d ms: %.1f %% within a tenth, %.1f %% within a quarter interval of their tick\n",
		rows, ival / 1000000, 100 * tenth / rows, 100 * ontime / rows
	if (tenth < 0.5 * rows) { print "profile-check: the median sample is more than a tenth of the interval late"; errors++ }
	if (ontime < 0.8 * rows) { print "profile-check: fewer than 80 % of samples within a quarter interval"; errors++ }
	exit errors > 0
}' "$s"
check $? "samples.csv rows: monotonic, on the grid, totals consistent, nothing goes backwards"

t0=$(awk -F, 'NR == 4 { print $1; exit }' "$s")
awk -F, -v t0="$t0" '
NR <= 2 { next }
{ if ($2 < prev) { printf "profile-check: milestone %s before the one above it\n", $1; bad++ }
  prev = $2; at[$1] = $2 }
END {
	n = split("kernel userspace sysinit.target basic.target multi-user.target finished", need, " ")
	for (i = 1; i <= n; i++) if (!(need[i] in at)) { printf "profile-check: milestone %s missing\n", need[i]; bad++ }
	if (("sysinit.target" in at) && t0 / 1000 >= at["sysinit.target"]) {
		printf "profile-check: first sample %.0f us is not before sysinit.target %s us\n", t0 / 1000, at["sysinit.target"]; bad++ }
	exit bad > 0
}' "$m"
check $? "milestones present and ordered, first sample before sysinit.target"

# Counters start at VM creation: the last row before "finished" holds the
# boot's exits so far (a boot has far fewer than 2^32). One pass: the
# external-interrupt share, the boot's exits without the sampler's own, the
# sampler's own CPUIDs, and the total at "finished".
fin=$(awk -F, '$1 == "finished" { print $2 * 1000 }' "$m")
share=$(awk -F, -v fin="${fin:-0}" '
NR == 2 { tax = ($0 ~ /taxonomy=2/) ? 2 : 1; next }
NR == 3 { for (i = 1; i <= NF; i++) col[$i] = i; c = col[tax == 2 ? "n96" : "n1"]; next }
NR > 3 && $1 <= fin { self += $4; ext = $c; total = $2 }
END { if (total > self) printf "%.2f %d %d %d %d\n", 100 * ext / (total - self), ext, total - self, self, total }' "$s")
read -r pct ext boot self gfin <<<"${share:-none 0 0 0 0}"
echo "profile-check: external interrupts $ext of $boot exits to boot finished ($pct %)"
# The guest sampler's own CPUIDs up to "finished", against the boot's exits
# (the same rows as above): at most MAX_SELF_PCT (5) % (README: the interval).
self_pct=$(awk -v a="$self" -v b="$boot" 'BEGIN { if (b > 0) printf "%.2f", 100 * a / b; else print "none" }')
echo "profile-check: the sampler's own CPUID exits to boot finished: $self ($self_pct % of the boot's $boot)"
awk -v p="$self_pct" -v max="${MAX_SELF_PCT:-5}" 'BEGIN { exit !(p != "none" && p <= max) }'
check $? "the sampler's own exits at most ${MAX_SELF_PCT:-5} % of the boot's ($self_pct %)"

# The host series (exitprof record --next in L1): from before the VM's first
# exit to after "finished" (its counters are the guest's: the host's last
# total reaches the guest's last total before "finished").
h=$dir/host-samples.csv
if [ -f "$h" ]; then
	awk -F, -v gfin="$gfin" '
	NR == 2 { if ($0 !~ /source=host/) { print "profile-check: host-samples.csv: no source=host"; bad++ } }
	NR == 4 { first = $2 }
	NR > 3 { last = $2 }
	END {
		if (first != 0) { printf "profile-check: the host series began after %d exits\n", first; bad++ }
		if (last < gfin) { printf "profile-check: the host series ends at %d exits, before the guest'"'"'s %d at finished\n", last, gfin; bad++ }
		exit bad > 0
	}' "$h"
	check $? "host series: from the VM's first exit (total 0) to past boot finished"
fi

# AMD (taxonomy 2): TCG's guest clock is wall time on a CPU ~30 times slower
# than a host's, so timer ticks per instruction are that much denser: the
# share is reported, bounded only on request (lab/README.md).
if grep -q 'taxonomy=2' "$s" && [ -z "${MAX_EXTINT_PCT:-}" ]; then
	echo "profile-check: AMD lab: the external-interrupt share is not bounded (see lab/README.md)"
else
	awk -v p="$pct" -v max="${MAX_EXTINT_PCT:-10}" 'BEGIN { exit !(p != "none" && p <= max) }'
	check $? "external interrupts at most ${MAX_EXTINT_PCT:-10} % of the boot's exits ($pct %)"
fi
summary

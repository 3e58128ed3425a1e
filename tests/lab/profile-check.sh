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
#   - milestones kernel, initrd, userspace, sysinit.target, basic.target,
#     multi-user.target and finished present and in order (initrd not with
#     LAB_L2_INITRD=initramfs-tools: that initrd runs no systemd)
#   - the first sample is taken in the initrd, before userspace (with
#     initramfs-tools: before sysinit.target), and the guest series goes
#     on through switch-root: rows on both sides of userspace
#   - coverage: at least MIN_COVER_PCT (99) % of the exits from VM creation
#     to "finished" fall in sampled intervals no longer than twice the
#     series' interval (the host series' from created_ns, where every
#     counter is 0, else the guest's from its first row)
#   - every phase, VM created .. after boot, formed with exits in it
#     (phases.dat of exitprof analyze), the alignment error reported and
#     host and guest counts agreeing within FORMAT.md's bound (summary.md)
#   - external interrupts (Intel reason 1, AMD 0x60) are at most
#     MAX_EXTINT_PCT (10) % of the boot's exits as summary.md counts them
#     (VM creation to "finished", the sampler's own CPUIDs left out): the
#     lab's timer storm (lab/README.md) must not come back (AMD: reported only)
#   - the sampler's own CPUIDs to "finished" are at most MAX_SELF_PCT (5) %
#     of the boot's exits (its own included)
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

# The initrd milestone exists where systemd runs the initrd (dracut).
if [ "${LAB_L2_INITRD:-dracut}" = initramfs-tools ]; then
	need="kernel userspace sysinit.target basic.target multi-user.target finished" first=sysinit.target
else
	need="kernel initrd userspace sysinit.target basic.target multi-user.target finished" first=userspace
fi
t0=$(awk -F, 'NR == 4 { print $1; exit }' "$s")
awk -F, -v t0="$t0" -v need="$need" -v first="$first" '
NR <= 2 { next }
{ if ($2 < prev) { printf "profile-check: milestone %s before the one above it\n", $1; bad++ }
  prev = $2; at[$1] = $2 }
END {
	n = split(need, want, " ")
	for (i = 1; i <= n; i++) if (!(want[i] in at)) { printf "profile-check: milestone %s missing\n", want[i]; bad++ }
	if ((first in at) && t0 / 1000 >= at[first]) {
		printf "profile-check: first sample %.0f us is not before %s %s us\n", t0 / 1000, first, at[first]; bad++ }
	exit bad > 0
}' "$m"
check $? "milestones $need present and ordered, first sample before $first"

# Through switch-root: guest rows on both sides of userspace, one series;
# the interval that holds switch-root is reported.
us=$(awk -F, '$1 == "userspace" { print $2 * 1000 }' "$m")
if [ "$first" = userspace ] && [ -n "$us" ]; then
	awk -F, -v us="$us" '
	NR > 3 { if ($1 < us) { before++; a = $1 } else if (!after++) b = $1 }
	END {
		printf "profile-check: %d guest rows in the initrd, %d after; switch-root within the %.1f ms from %.3f s to %.3f s\n",
			before, after, (b - a) / 1e6, a / 1e9, b / 1e9
		exit !(before > 0 && after > 0)
	}' "$s"
	check $? "the guest series runs from the initrd through switch-root"
fi

# The boot's exits as exitprof analyze counted them (summary.md: VM
# creation, or the first sample, to "finished", the sampler's own CPUIDs
# taken out) and its external interrupts (Intel reason 1, AMD 0x60 INTR):
# the same figures the summary publishes. The sampler's own CPUIDs to
# "finished" are its rows' self_cpuid up to there (a sweep is at its row's
# time); gfin, the guest's total at the last row before "finished".
sm=$dir/summary.md
fin=$(awk -F, '$1 == "finished" { print $2 * 1000 }' "$m")
read -r self gfin <<<"$(awk -F, -v fin="${fin:-0}" 'NR > 3 && $1 <= fin { self += $4; total = $2 }
	END { print self + 0, total + 0 }' "$s")"
boot=$(sed -n 's/^- \*\*The boot\*\*.*: \*\*\([0-9]*\) exits\*\*.*/\1/p' "$sm" 2>/dev/null)
ext=$(awk -F'|' '/^## Exit reasons, the boot/ { b = 1; next } /^## / { b = 0 }
	b && $2 ~ /`(EXTERNAL_INTERRUPT|INTR)`/ { gsub(/ /, "", $4); print $4; exit }' "$sm" 2>/dev/null)
[ -n "$boot" ]; check $? "summary.md gives the boot's exits (${boot:-none})"
pct=$(awk -v a="${ext:-0}" -v b="${boot:-0}" 'BEGIN { if (b > 0) printf "%.2f", 100 * a / b; else print "none" }')
echo "profile-check: external interrupts ${ext:-0} of the boot's ${boot:-?} exits ($pct %; summary.md, the sampler's own left out)"
# At most MAX_SELF_PCT (5) % of the boot's exits, its own included (README: the interval).
self_pct=$(awk -v a="$self" -v b="${boot:-0}" 'BEGIN { if (b > 0) printf "%.2f", 100 * a / (a + b); else print "none" }')
echo "profile-check: the sampler's own CPUID exits to boot finished: $self ($self_pct % of the boot's $(( ${boot:-0} + self )), its own included)"
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

# The exits from VM creation to "finished": the guest's total (it counts
# from the VM's creation) at "finished", between the rows around it. Taken
# as sampled: the exits of intervals no longer than twice the interval, of
# the host series from created_ns (all counters 0 there) if there is one,
# else of the guest's from its first row. Measured on the count axis, so
# no clock mapping is needed.
efin=$(awk -F, -v fin="${fin:-0}" '
NR > 3 { if ($1 <= fin) { t = $1; v = $2 } else if (!done) { done = 1
	printf "%.0f\n", v + ($2 - v) * (fin - t) / ($1 - t) } }' "$s")
cover() { # FILE: sampled exits up to $efin, and the exits before the first row counted as unsampled
	awk -F, -v efin="${efin:-0}" '
	function take(a, b, dt) { if (dt <= 2 * ival) { lo = a < efin ? a : efin; hi = b < efin ? b : efin; got += hi - lo } }
	NR == 2 { k = split($0, f, " "); for (i = 2; i <= k; i++) { split(f[i], kv, "="); meta[kv[1]] = kv[2] }
		  ival = meta["interval_ms"] * 1e6; if ("created_ns" in meta) { pt = meta["created_ns"]; pv = 0; have = 1 } }
	NR > 3 { if (have) take(pv, $2, $1 - pt); pt = $1; pv = $2; have = 1 }
	END { printf "%.2f %d\n", efin ? 100 * got / efin : 0, got }' "$1"
}
if [ -f "$h" ]; then src=host; else src=guest; fi
read -r cov got <<<"$(cover "$([ $src = host ] && echo "$h" || echo "$s")")"
read -r gcov _ <<<"$(cover "$s")"
echo "profile-check: coverage: $got of the $efin exits from VM creation to finished in sampled intervals of the $src series ($cov %; the sampler's own included, the total at finished interpolated between the guest's rows; the guest series alone: $gcov %)"
awk -v p="$cov" -v min="${MIN_COVER_PCT:-99}" 'BEGIN { exit !(p >= min) }'
check $? "at least ${MIN_COVER_PCT:-99} % of the boot's exits in sampled intervals ($cov %)"

# The phases exitprof analyze formed (phases.dat; lab/profile ran it). With
# a host series: VM created .. kernel first; without, before-sampler.
p=$dir/phases.dat
if [ -f "$p" ]; then
	want="kernel initrd early-userspace sysinit-basic basic-multi-user multi-user-finished after-boot"
	[ "$first" = userspace ] || want=${want/initrd /}
	[ -f "$h" ] && want="firmware $want"
	awk -v want="$want" '
	/^#/ { next }
	{ ex[$1] = $5; printf "profile-check: phase %-20s %8.3f..%8.3f s  %9.1f exits\n", $1, $2, $3, $5 }
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) if (!(w[i] in ex) || ex[w[i]] <= 0) { printf "profile-check: phase %s not formed or without exits\n", w[i]; bad++ }
		exit bad > 0
	}' "$p"
	check $? "every phase formed with exits: $want"
else
	echo "profile-check: no $p (exitprof analyze has not run)"; check 1 "phases.dat present"
fi
if [ -f "$h" ]; then
	grep -o 'Alignment error[^.]*[.][0-9]* ms[^.]*[.][0-9]* ms[^.]*[.][0-9]* ms' "$sm" | sed 's/^/profile-check: /'
	grep -q 'host and guest counts agree within the bound' "$sm"
	check $? "host and guest per-reason counts agree over their common span ($(grep -o 'over [0-9.]*\.\.[0-9.]* s ([0-9]* checkpoints[^)]*)' "$sm"))"
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

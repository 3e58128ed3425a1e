#!/bin/bash
# tests/bench/sampler.sh [PROFILE_DIR]: what the sampler costs, from a real
# profile (default: the newest results/*, else plots/example): CPUID exits
# per sweep (a sweep reads only the cycles that can have moved) and its
# microseconds, and the share of all exits during the
# profile that the sampler itself caused, measured at the profile's interval
# and scaled to the default 50 ms (fewer sweeps, same boot).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-$(ls -d results/*/ 2>/dev/null | sort | tail -n1)}
dir=${dir:-plots/example}
dir=${dir%/}
csv=$dir/samples.csv
[ -f "$csv" ] || { echo "bench: no $csv (run make profile first)" >&2; exit 1; }
us=$(grep -ho 'a sweep took [0-9]* CPUIDs and [0-9.]* us' "$dir"/lab.log 2>/dev/null |
	tail -n1 | awk '{print $7}')
awk -F, -v us="${us:-}" -v dir="$dir" '
NR == 2 { m = split($0, f, " "); for (i = 2; i <= m; i++) { split(f[i], kv, "="); meta[kv[1]] = kv[2] } next }
NR <= 3 { next }
{
	if (n++) { d = ($2 - prev + 4294967296) % 4294967296; total += d; self += $4 }
	prev = $2
}
END {
	ival = meta["interval_ms"]; sweep = meta["sweep_cpuids"]
	printf "bench: sampler cost, from %s (%d samples every %s ms)\n", dir, n, ival
	printf "  one sweep: %.1f CPUID exits on average (%d for a full one)", self / (n - 1), sweep
	if (us != "") printf ", %.1f us of guest time (the sampler measures it)", us
	printf "\n"
	printf "  the sampler caused %d of %d exits between its first and last sample: %.2f %%\n",
		self, total, 100 * self / total
	k = ival / 50
	printf "  at the default 50 ms: about %.2f %% (%d sweeps per second instead of %d)\n",
		100 * self * k / (total - self + self * k), 1000 / 50, 1000 / ival
}' "$csv"

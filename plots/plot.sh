#!/bin/bash
# plots/plot.sh RESULTS: draw the exitprof charts (PNG and SVG) into RESULTS,
# a directory `exitprof analyze` wrote.  Exits non-zero if gnuplot is
# missing or any chart fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: plots/plot.sh RESULTS_DIR}
if [ ! -f "$dir/plotvars.gp" ]; then
	echo "plots: $dir/plotvars.gp not found: run exitprof analyze -o $dir PROFILE_DIR first" >&2
	exit 2
fi
command -v gnuplot >/dev/null || { echo "plots: gnuplot not found (make deps installs gnuplot-nox)" >&2; exit 1; }
q=${dir//\'/\'\'}	# a gnuplot single-quoted string
status=0
for chart in timeline phases heatmap cycles; do
	if ! gnuplot -e "results='$q'; plots='$here'" "$here/$chart.gp"; then
		echo "plots: $chart.gp failed" >&2
		status=1
	fi
done
for f in "$dir"/{timeline,timeline_all,phases,heatmap,heatmap_all,cycles}.png; do
	[ -f "$f" ] && echo "plots: ${f%.png}.{png,svg}"
done
exit $status

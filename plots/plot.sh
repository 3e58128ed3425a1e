#!/bin/bash
# plots/plot.sh RESULTS: draw the exitprof charts (PNG and SVG) into RESULTS,
# a directory `exitprof analyze` wrote, with the source tree's scripts.
# `exitprof plot` does the work (its --help); this is the source tree's
# way to it, for scripts that predate it (lab/profile).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exitprof=${EXITPROF:-$top/build/exitprof}
[ -x "$exitprof" ] || { echo "plots: $exitprof not found: make guest first" >&2; exit 3; }
exec "$exitprof" plot --scripts "$top/plots" "$@"

# shellcheck shell=bash
# Sourced by the kernel and lab scripts: the kernel exitprof is built for.
# KSERIES (from the environment; default 6.12) picks kernel/versions/$KSERIES.env,
# which sets KVER, KREL and KPKGVER. KSERIES is exported so that the scripts
# and makes this one starts agree on it.
KSERIES=${KSERIES:-6.12}
_kversion_env=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/versions/$KSERIES.env
if [ ! -f "$_kversion_env" ]; then
	echo "KSERIES=$KSERIES: unknown kernel series, there is no kernel/versions/$KSERIES.env" \
		"(known: $(cd "${_kversion_env%/*}" && ls -- *.env | sed 's/\.env$//' | paste -sd' '))" >&2
	exit 2
fi
# shellcheck source=versions/6.12.env
. "$_kversion_env"
unset _kversion_env
export KSERIES

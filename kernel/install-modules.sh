#!/bin/sh
# Swap the running host's KVM for exitprof's, or back (make install-modules).
# POSIX sh: it runs on a Debian host (dash, kmod) and in the lab's busybox L1.
#
# Everything that can refuse is checked before anything is touched: the
# release the modules were built for (their vermagic) against the running
# kernel's, their vermagic against the stock kvm's, module signature
# enforcement, and whether KVM is in use (a VM, anything holding /dev/kvm,
# another module on top of kvm).  Then the vendor module and kvm are
# removed with rmmod, not `modprobe -r`, which would also remove irqbypass
# (and ccp on AMD): the modules exitprof's depend on; those are loaded with
# modprobe from the stock tree, and exitprof's with insmod.  If loading
# exitprof's fails, the stock modules are loaded again.
set -u
prog=install-modules

usage() {
	cat <<EOF
usage: $0 [OPTIONS] DIR     load exitprof's kvm.ko and kvm-intel.ko/kvm-amd.ko
                            from DIR (make -s -C kernel modules-dir) in place
                            of the stock ones
       $0 --restore         put the stock modules back (modprobe from
                            /lib/modules/\$(uname -r))
Options:
  --kvm-args ARGS     parameters for exitprof's kvm.ko (e.g. 'exit_stats_scope=vm');
                      /etc/modprobe.d does not apply to insmod
  --vendor-args ARGS  parameters for kvm-intel.ko / kvm-amd.ko (e.g. 'nested=0')
  -h, --help          this text
Refuses, changing nothing, unless run as root on the kernel release the modules
were built for, with the stock kvm modules installed, module signatures not
enforced, and no VM running (kvm not in use).
Exit status: 0 done, 1 refused or failed (the message says what and whether
anything changed), 2 usage.
EOF
}

die() { echo "$prog: $*" >&2; exit 1; }
die_usage() { echo "$prog: $*" >&2; echo "try '$0 --help'" >&2; exit 2; }

restore=0 dir='' kvm_args='' vendor_args=''
while [ $# -gt 0 ]; do
	case $1 in
	--restore) restore=1 ;;
	--kvm-args) [ $# -ge 2 ] || die_usage "$1 needs an argument"; kvm_args=$2; shift ;;
	--vendor-args) [ $# -ge 2 ] || die_usage "$1 needs an argument"; vendor_args=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) die_usage "unknown option $1" ;;
	*) [ -z "$dir" ] || die_usage "one DIR only"; dir=$1 ;;
	esac
	shift
done
if [ $restore = 1 ]; then
	[ -z "$dir$kvm_args$vendor_args" ] || die_usage "--restore takes no DIR or module arguments"
else
	[ -n "$dir" ] || die_usage "no DIR given (the modules: make -s -C kernel modules-dir)"
fi

# ---- checks: nothing is changed until all pass --------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root (nothing was changed)"
rel=$(uname -r)
if grep -qw vmx /proc/cpuinfo; then
	vendor=intel
elif grep -qw svm /proc/cpuinfo; then
	vendor=amd
else
	die "this CPU has neither vmx nor svm: no KVM to swap (nothing was changed)"
fi
vmod=kvm_$vendor

# modinfo_field FILE FIELD: FIELD of FILE's .modinfo, an uncompressed .ko
# (the .modinfo strings are NUL-separated; no modinfo binary needed)
modinfo_field() {
	tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1 | sed 's/ *$//'
}
loaded() { [ -d /sys/module/"$1" ]; }
ours_loaded() { [ -e /sys/module/kvm/parameters/exit_stats ]; }

# The stock modules must be there: --restore and the fallback load them.
stock_magic=$(modinfo -F vermagic kvm 2>/dev/null | sed 's/ *$//') && [ -n "$stock_magic" ] &&
	modinfo -F vermagic $vmod >/dev/null 2>&1 ||
	die "no stock kvm and $vmod modules for $rel in /lib/modules/$rel: nothing to go back to (nothing was changed)"

if [ $restore = 0 ]; then
	for m in kvm kvm-$vendor; do
		f=$dir/$m.ko
		[ -f "$f" ] && [ -r "$f" ] || die "no readable $f (build it: make modules; nothing was changed)"
		magic=$(modinfo_field "$f" vermagic)
		[ -n "$magic" ] || die "$f: no vermagic, not a kernel module (nothing was changed)"
		built=${magic%% *}
		[ "$built" = "$rel" ] ||
			die "$f was built for Linux $built, the running kernel is $rel: refusing (build for this kernel, see kernel/versions/; nothing was changed)"
		[ "$magic" = "$stock_magic" ] ||
			die "$f: vermagic '$magic' differs from the stock kvm's '$stock_magic': refusing (nothing was changed)"
	done
	if [ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] ||
		grep -qE '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown 2>/dev/null; then
		die "the kernel only loads signed modules (Secure Boot / lockdown) and exitprof's are not: refusing (nothing was changed)"
	fi
fi

# Who holds KVM: processes with /dev/kvm or a KVM VM/vCPU file open.
kvm_users() {
	for fd in /proc/[0-9]*/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in
		/dev/kvm | anon_inode:kvm-vm | anon_inode:kvm-vcpu*)
			p=${fd#/proc/}
			p=${p%%/*}
			echo "$p($(cat /proc/"$p"/comm 2>/dev/null))"
			;;
		esac
	done | sort -u | tr '\n' ' '
}
# KVM is in use if the vendor module has references (every open /dev/kvm
# and every VM takes one) or kvm has more than its dependent modules take,
# or a module other than kvm_intel/kvm_amd depends on kvm.
busy=''
for m in kvm_intel kvm_amd; do
	loaded $m || continue
	n=$(cat /sys/module/$m/refcnt)
	[ "$n" = 0 ] || busy="$busy $m has $n references;"
done
if loaded kvm; then
	holders=$(ls /sys/module/kvm/holders 2>/dev/null | tr '\n' ' ')
	other=$(echo "$holders" | tr ' ' '\n' | grep -vxE 'kvm_intel|kvm_amd|' | tr '\n' ' ')
	[ -z "$other" ] || busy="$busy modules depend on kvm: $other(unload them first);"
	n=$(cat /sys/module/kvm/refcnt)
	h=$(echo "$holders" | wc -w)
	[ "$n" -le "$h" ] || busy="$busy kvm has $n references, $h from modules;"
fi
[ -z "$busy" ] ||
	die "KVM is in use:$busy stop every VM first (users of /dev/kvm: $(kvm_users)) (nothing was changed)"

# ---- swap -----------------------------------------------------------------------------
unload() { # the vendor modules, then kvm: rmmod, so their dependencies stay
	for m in kvm_intel kvm_amd kvm; do
		loaded $m || continue
		rmmod $m || return 1
	done
}
stock_load() {
	modprobe $vmod && [ -c /dev/kvm ] && ! ours_loaded
}
if [ $restore = 1 ]; then
	if loaded kvm && ! ours_loaded && loaded $vmod; then
		echo "$prog: the stock modules are loaded already"
		exit 0
	fi
	unload || die "rmmod failed (see above); loaded now: $(lsmod | awk '$1 ~ /^kvm/ {print $1}' | tr '\n' ' ')"
	stock_load || die "modprobe $vmod failed: the host has no KVM now (see above)"
	echo "$prog: stock kvm and $vmod loaded"
	exit 0
fi

# exitprof's dependencies, loaded (stock) before anything goes away
deps=$(for m in kvm kvm-$vendor; do modinfo_field "$dir/$m.ko" depends | tr ',' '\n'; done |
	grep -vx 'kvm' | sort -u)
for d in $deps; do
	modprobe "$d" || die "modprobe $d (needed by exitprof's modules) failed (kvm itself was not changed)"
done
unload || die "rmmod failed (see above); loaded now: $(lsmod | awk '$1 ~ /^kvm/ {print $1}' | tr '\n' ' ')"
fallback() {
	echo "$prog: $1; loading the stock modules again" >&2
	loaded kvm_$vendor && rmmod kvm_$vendor
	loaded kvm && rmmod kvm
	if stock_load; then
		die "exitprof's modules were not loaded; the stock ones are back"
	fi
	die "exitprof's modules were not loaded, and modprobe $vmod failed: the host has no KVM now"
}
# shellcheck disable=SC2086 # the parameter lists are split into words
insmod "$dir/kvm.ko" $kvm_args || fallback "insmod $dir/kvm.ko failed"
# shellcheck disable=SC2086
insmod "$dir/kvm-$vendor.ko" $vendor_args || fallback "insmod $dir/kvm-$vendor.ko failed"
{ ours_loaded && [ -c /dev/kvm ]; } || fallback "kvm has no exit_stats parameter or there is no /dev/kvm after loading"
echo "$prog: exitprof's kvm and $vmod loaded from $dir (Linux $rel)"

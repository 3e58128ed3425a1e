#!/bin/bash
# kernel/install-modules.sh on a host that is L1 of the lab (VENDOR=amd, the
# default: seconds; or intel). L1 boots with Debian's stock kvm modules and a
# /lib/modules/$KREL tree like a Debian host's (the stock kvm, kvm-amd,
# kvm-intel, irqbypass, ccp as shipped, depmod'ed); the L1 script
# (tests/lab/install-modules-l1.sh) tries the refusals (kvm in use, modules
# for another release, another vermagic), installs exitprof's modules,
# checks a new VM sees the leaves and has exit_stats in debugfs, restores the
# stock ones and checks a new VM does not.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
lab_test install-modules amd
# shellcheck source=../../kernel/kversion.sh
. kernel/kversion.sh
make -s guest
make -s -C kernel modules >/dev/null
mods=$(make -s --no-print-directory -C kernel modules-dir)
pkg=$(kernel/fetch.sh)/pkg/lib/modules/$KREL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the stock tree, as Debian installs it (compressed modules), depmod'ed here
st=$tmp/stage
for f in arch/x86/kvm/kvm arch/x86/kvm/kvm-amd arch/x86/kvm/kvm-intel virt/lib/irqbypass \
	drivers/crypto/ccp/ccp; do
	install -D -m 644 "$pkg/kernel/$f.ko.xz" "$st/lib/modules/$KREL/kernel/$f.ko.xz"
done
cp "$pkg"/modules.order "$pkg"/modules.builtin "$pkg"/modules.builtin.modinfo "$st/lib/modules/$KREL/"
depmod -b "$st" "$KREL"
# exitprof's modules, and copies whose vermagic names another release or
# other flags (same length: the ELF stays valid)
other=9${KREL#?}
[ "$other" != "$KREL" ] || other=8${KREL#?}
for m in kvm kvm-intel kvm-amd; do
	install -D -m 644 "$mods/$m.ko" "$st/tmp/im/exitprof/$m.ko"
	install -D -m 644 "$mods/$m.ko" "$st/tmp/im/badrel/$m.ko"
	install -D -m 644 "$mods/$m.ko" "$st/tmp/im/badmagic/$m.ko"
	R=$KREL O=$other perl -0777 -pi -e 's/vermagic=\Q$ENV{R}\E /vermagic=$ENV{O} /' "$st/tmp/im/badrel/$m.ko"
	perl -0777 -pi -e 's/(vermagic=[^\0]*) mod_unload /$1 mod_UNLOAD /' "$st/tmp/im/badmagic/$m.ko"
done
tar -C "$st" -cf - . | xz -T0 -3 >"$tmp/install-test.tar.xz"

LAB_KVM_MODULES=stock lab_run "$tmp/out" --copy kernel/install-modules.sh --copy "$tmp/install-test.tar.xz" \
	--copy build/exitprof --copy tests/lab/l1-vm.sh --copy tests/lab/lib.sh \
	--l1 tests/lab/install-modules-l1.sh -- true
cat "$tmp/out"
set +e	# each check below records its own status
check "$rc" "lab/run exit status ($rc)"
l1_tally "$tmp/out" "$prog" 24
summary

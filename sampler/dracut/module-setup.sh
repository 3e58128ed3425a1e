#!/bin/bash
# dracut module 90exitprof: exitprof-sampler.service in the initrd, so the
# boot profile starts with the initrd (its series continues in the root file
# system's instance of the unit: sampler/FORMAT.md, "initrd").

# dracut sets initdir, systemdsystemunitdir and SYSTEMCTL.
# shellcheck disable=SC2154

# Included whenever exitprof is installed; it does nothing without systemd.
check() {
	require_binaries /usr/bin/exitprof || return 1
	return 0
}

depends() {
	echo systemd
}

install() {
	inst_binary /usr/bin/exitprof
	inst_simple "$systemdsystemunitdir/exitprof-sampler.service"
	# the root's settings, so both instances write the same series
	[ -f /etc/default/exitprof ] && inst_simple /etc/default/exitprof
	# WantedBy=sysinit.target, as in the root file system
	$SYSTEMCTL -q --root "$initdir" enable exitprof-sampler.service
}

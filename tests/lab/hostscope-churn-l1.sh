#!/bin/sh
# Runs in L1 (busybox sh) while the lab's L2, VM "A", is paused after its
# command. Host scope under churn: VM "S" (2 vCPUs) spins on the host-wide
# leaves (kvm.exit_stats_scope=host), whose sum walks every VM, while L1
# creates and destroys VMs (each boots its BIOS and kernel: memslot updates,
# then goes away) and flips nx_huge_pages (set_nx_huge_pages() takes kvm_lock,
# then each VM's slots_lock). The host-wide sum once took kvm_lock from the
# CPUID exit under kvm->srcu; now it takes no lock and walks an RCU list of
# VMs, and a VM leaves it (after a grace period) before its vCPUs are freed.
# Everything must finish (lab/run fails on a hung task, an RCU stall or a
# BUG report), and S's and A's totals equal their vCPUs' exits statistic.
# Env from lab/run: KVM_VM_DIR (A's debugfs), KVM_EXIT_HIST, L2_PID (A's qemu).
set -u
# shellcheck source=tests/lab/l1-vm.sh
. /usr/local/bin/l1-vm.sh
prog=churn
# shellcheck source=tests/lab/lib.sh
. /usr/local/bin/lib.sh
P=/sys/module/kvm/parameters
rounds=3

echo host >$P/exit_stats_scope
check $? "kvm.exit_stats_scope=host"
# shellcheck disable=SC2016 # expanded in VM S
start_vm S 2 "$TO_DATA"' echo spinning; while :; do exitprof query --all >/dev/null; exitprof query >/dev/null; done'
spid=$VPID
wait_data S '^spinning'
check $? "VM S spins on the host-scope leaves"
t0=$(date +%s)
i=0 ok=0
while [ $i -lt $rounds ]; do
	start_vm "O$i" 1 'true'
	for v in Y N Y N; do echo $v >$P/nx_huge_pages || break; done
	rc=$(wait_vm "O$i") && [ "$rc" = 0 ] && ok=$((ok + 1))
	# the lab's L2 holds after its command: end it, and its VM with it
	kill -KILL "$VPID"
	wait "$VPID" 2>/dev/null
	i=$((i + 1))
done
check $((rounds - ok)) "$ok of $rounds VMs booted and went away next to S, nx_huge_pages flipped 4 times each ($(($(date +%s) - t0)) s)"
vm_alive S "$spid"
check $? "VM S still spinning"

VPID=$spid
pause_qemu "$spid"
check $? "VM S paused"
set -- /sys/kernel/debug/kvm/"$spid"-*
total=$(awk '$1 == "total" { print $3 }' "$1/exit_stats")
exits=$(cat "$1/exits")
[ -n "$total" ] && [ "$total" = "$exits" ]
check $? "VM S: exit_stats total $total == its vCPUs' exits statistic $exits"
kill -KILL "$spid"
wait "$spid" 2>/dev/null
echo vm >$P/exit_stats_scope

# (the lab's kvm_exit histogram counts every VM's exits now: compare A with
# its own exits statistic only)
total=$(awk '$1 == "total" { print $3 }' "$KVM_VM_DIR/exit_stats")
exits=$(cat "$KVM_VM_DIR/exits")
[ -n "$total" ] && [ "$total" = "$exits" ]
check $? "VM A (paused throughout): exit_stats total $total == its exits statistic $exits"
summary

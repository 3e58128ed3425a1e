/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _ASM_X86_KVM_EXIT_STATS_TYPES_H
#define _ASM_X86_KVM_EXIT_STATS_TYPES_H

#include <linux/types.h>

/*
 * Counter slots per vCPU: enough for the largest vendor table (slot == exit
 * reason for VMX), plus one for reasons outside the table so that the totals
 * still match KVM's own exit accounting.
 */
#define KVM_EXIT_STATS_NR_SLOTS		192
#define KVM_EXIT_STATS_SLOT_OTHER	(KVM_EXIT_STATS_NR_SLOTS - 1)

struct kvm_exit_stat {
	u64 count;
	u64 cycles;	/* TSC cycles from VM-exit to the end of its handling */
};

/*
 * Written only by the vCPU's own thread, read locklessly when a leaf or the
 * debugfs file sums all vCPUs; no atomics or shared lines on the exit path.
 */
struct kvm_exit_stats {
	u64 start;	/* TSC at the VM-exit being handled, 0 when idle */
	u32 cur;	/* slot of the VM-exit being handled */
	struct kvm_exit_stat total;	/* the sum over all slots */
	struct kvm_exit_stat slot[KVM_EXIT_STATS_NR_SLOTS];
};

#endif /* _ASM_X86_KVM_EXIT_STATS_TYPES_H */

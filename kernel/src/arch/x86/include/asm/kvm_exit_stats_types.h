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
	u64 cycles;	/* on-CPU TSC cycles from VM-exit to the end of handling */
};

/*
 * The clock of the exit being handled runs only while the vCPU task is on a
 * CPU: it stops when the task is scheduled out and restarts when it is back.
 */
#define KVM_EXIT_STATS_CLOCK_IDLE	0	/* no exit being timed */
#define KVM_EXIT_STATS_CLOCK_RUNNING	1	/* on a CPU since @start */
#define KVM_EXIT_STATS_CLOCK_STOPPED	2	/* the vCPU task is off the CPU */

/*
 * Written only by the vCPU's own thread, read locklessly when a leaf or the
 * debugfs file sums all vCPUs; no atomics or shared lines on the exit path.
 */
struct kvm_exit_stats {
	u64 start;	/* TSC when the clock last started, on this CPU */
	u64 elapsed;	/* on-CPU cycles of this exit before @start */
	u32 cur;	/* slot of the VM-exit being handled */
	u32 clock;	/* KVM_EXIT_STATS_CLOCK_* */
	struct kvm_exit_stat total;	/* the sum over all slots */
	struct kvm_exit_stat slot[KVM_EXIT_STATS_NR_SLOTS];
};

#endif /* _ASM_X86_KVM_EXIT_STATS_TYPES_H */

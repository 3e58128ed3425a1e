/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-vCPU VM-exit statistics (exitprof): the hot-path helpers called by the
 * vendor modules where KVM records a VM-exit, and the interface to kvm.ko.
 *
 * An exit is timed from kvm_exit_stats_begin(), right after the hardware
 * returns to the host, to kvm_exit_stats_done(), when KVM's in-kernel handling
 * of it is complete (fastpath done or handle_exit returned).  Time blocked in
 * halt or spent in the user-space VMM is not part of any exit.
 */
#ifndef __KVM_X86_EXIT_STATS_H
#define __KVM_X86_EXIT_STATS_H

#include <linux/kvm_host.h>
#include <asm/msr.h>

#include "exit_stats_leaf.h"

extern bool kvm_exit_stats_on;

static __always_inline void kvm_exit_stats_begin(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;

	if (!READ_ONCE(kvm_exit_stats_on))
		return;
	s->start = rdtsc();
	s->cur = KVM_EXIT_STATS_SLOT_OTHER;
}

/* Called at the kvm_exit tracepoint site, so the counts match KVM's own. */
static __always_inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu,
						 u32 slot)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;

	/* Not begun: the statistics were switched on during this exit. */
	if (!s->start)
		return;
	if (slot >= KVM_EXIT_STATS_NR_SLOTS)
		slot = KVM_EXIT_STATS_SLOT_OTHER;
	s->cur = slot;
	s->slot[slot].count++;
	s->total.count++;
}

static __always_inline void kvm_exit_stats_done(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;
	u64 cycles;

	if (!s->start)
		return;
	cycles = rdtsc() - s->start;
	s->slot[s->cur].cycles += cycles;
	s->total.cycles += cycles;
	s->start = 0;
}

void kvm_exit_stats_setup(u32 taxonomy,
			  int (*const *handlers)(struct kvm_vcpu *vcpu),
			  u32 nr_handlers, const u32 *early, u32 nr_early);
bool __kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			    u32 *ecx, u32 *edx);

/* kvm_cpuid() asks first on every CPUID exit: other leaves return at once. */
static inline bool kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax,
					u32 *ebx, u32 *ecx, u32 *edx)
{
	if (likely(*eax - KVM_EXIT_STATS_LEAF_INFO >
		   KVM_EXIT_STATS_LEAF_CYCLES - KVM_EXIT_STATS_LEAF_INFO))
		return false;
	return __kvm_exit_stats_cpuid(vcpu, eax, ebx, ecx, edx);
}

int kvm_exit_stats_init_vm(struct kvm *kvm);
void kvm_exit_stats_destroy_vm(struct kvm *kvm);
void kvm_exit_stats_create_debugfs(struct kvm *kvm);

#endif /* __KVM_X86_EXIT_STATS_H */

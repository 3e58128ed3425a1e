/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-vCPU VM-exit statistics (exitprof): the hot-path helpers called by the
 * vendor modules where KVM records a VM-exit, and the interface to kvm.ko.
 *
 * An exit is timed from kvm_exit_stats_begin(), right after the hardware
 * returns to the host, to kvm_exit_stats_done(), when KVM's in-kernel handling
 * of it is complete (fastpath done or handle_exit returned), on the CPU only:
 * kvm_arch_vcpu_put() stops the clock when the vCPU task is scheduled out
 * (kvm_sched_out()), kvm_arch_vcpu_load() restarts it when the task is back
 * (kvm_sched_in()), on whichever CPU that is.  Each stretch of the clock
 * therefore starts and ends on one CPU, and one that would come out negative
 * (a TSC that went backwards) counts as zero.  Time blocked in halt, spent in
 * the user-space VMM or scheduled out is not part of any exit; host
 * interrupts that arrive while the exit is handled are.
 */
#ifndef __KVM_X86_EXIT_STATS_H
#define __KVM_X86_EXIT_STATS_H

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <asm/msr.h>

#include "exit_stats_leaf.h"

#ifdef CONFIG_KVM_EXIT_STATS

extern bool kvm_exit_stats_on;

/* TSC cycles since @start, read on the CPU that read @start; never negative. */
static __always_inline u64 kvm_exit_stats_since(u64 start)
{
	u64 now = rdtsc();

	return now > start ? now - start : 0;
}

/* Called with IRQs off right after the VM-exit. */
static __always_inline void kvm_exit_stats_begin(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;

	if (!READ_ONCE(kvm_exit_stats_on))
		return;
	s->start = rdtsc();
	s->elapsed = 0;
	s->cur = KVM_EXIT_STATS_SLOT_OTHER;
	s->clock = KVM_EXIT_STATS_CLOCK_RUNNING;
}

/*
 * Called at the kvm_exit tracepoint site, so the counts match KVM's own.
 *
 * The counters are written with WRITE_ONCE() and read with READ_ONCE() by
 * the sums, without locks.  An exit is counted here, its cycles are added
 * by kvm_exit_stats_done() when its handling is complete: a reader can see
 * an exit's count without its cycles (the exit being handled right now),
 * never its cycles without its count; the smp_wmb() there pairs with the
 * smp_rmb() in the sums, which load the cycles before the count.
 */
static __always_inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu,
						 u32 slot)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;
	struct kvm_exit_stat *st;

	/* Not begun: the statistics were switched on during this exit. */
	if (s->clock == KVM_EXIT_STATS_CLOCK_IDLE)
		return;
	if (slot >= KVM_EXIT_STATS_NR_SLOTS)
		slot = KVM_EXIT_STATS_SLOT_OTHER;
	slot = array_index_nospec(slot, KVM_EXIT_STATS_NR_SLOTS);
	s->cur = slot;
	st = &s->slot[slot];
	WRITE_ONCE(st->count, st->count + 1);
	WRITE_ONCE(s->total.count, s->total.count + 1);
}

/*
 * Called from kvm_arch_vcpu_put(), i.e. kvm_sched_out() or vcpu_put(), with
 * preemption off: the vCPU task leaves this CPU, stop the clock.
 */
static __always_inline void kvm_exit_stats_put(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;

	if (s->clock != KVM_EXIT_STATS_CLOCK_RUNNING)
		return;
	s->elapsed += kvm_exit_stats_since(s->start);
	s->clock = KVM_EXIT_STATS_CLOCK_STOPPED;
}

/*
 * Called from kvm_arch_vcpu_load(), i.e. kvm_sched_in() or vcpu_load(), with
 * preemption off: the vCPU task is on this CPU again, restart the clock.
 */
static __always_inline void kvm_exit_stats_load(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;

	if (s->clock != KVM_EXIT_STATS_CLOCK_STOPPED)
		return;
	s->start = rdtsc();
	s->clock = KVM_EXIT_STATS_CLOCK_RUNNING;
}

/*
 * Called when the handling of the exit is complete.  Preemption is off
 * around it so that kvm_exit_stats_put() cannot run in the middle.
 */
static __always_inline void kvm_exit_stats_done(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = &vcpu->exit_stats;
	struct kvm_exit_stat *st;
	u64 cycles;

	preempt_disable();
	if (s->clock != KVM_EXIT_STATS_CLOCK_IDLE) {
		cycles = s->elapsed;
		if (s->clock == KVM_EXIT_STATS_CLOCK_RUNNING)
			cycles += kvm_exit_stats_since(s->start);
		/* the count first, see kvm_exit_stats_count() */
		smp_wmb();
		st = &s->slot[s->cur];
		WRITE_ONCE(st->cycles, st->cycles + cycles);
		WRITE_ONCE(s->total.cycles, s->total.cycles + cycles);
		s->clock = KVM_EXIT_STATS_CLOCK_IDLE;
	}
	preempt_enable();
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

#else /* !CONFIG_KVM_EXIT_STATS: every hook is empty */

static inline void kvm_exit_stats_begin(struct kvm_vcpu *vcpu) {}
static inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu, u32 slot) {}
static inline void kvm_exit_stats_put(struct kvm_vcpu *vcpu) {}
static inline void kvm_exit_stats_load(struct kvm_vcpu *vcpu) {}
static inline void kvm_exit_stats_done(struct kvm_vcpu *vcpu) {}
static inline void
kvm_exit_stats_setup(u32 taxonomy,
		     int (*const *handlers)(struct kvm_vcpu *vcpu),
		     u32 nr_handlers, const u32 *early, u32 nr_early) {}
static inline bool kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax,
					u32 *ebx, u32 *ecx, u32 *edx)
{
	return false;
}

static inline int kvm_exit_stats_init_vm(struct kvm *kvm)
{
	return 0;
}

static inline void kvm_exit_stats_destroy_vm(struct kvm *kvm) {}
static inline void kvm_exit_stats_create_debugfs(struct kvm *kvm) {}

#endif /* CONFIG_KVM_EXIT_STATS */

#endif /* __KVM_X86_EXIT_STATS_H */

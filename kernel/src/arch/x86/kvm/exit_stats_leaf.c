// SPDX-License-Identifier: GPL-2.0-only
/*
 * Answers for the exitprof CPUID leaves 0x4ffffffb-0x4fffffff.
 *
 * The index in ECX is guest-controlled and any 32-bit value is legal: it is
 * bounded against the vendor table and clamped against speculation before it
 * indexes anything.  Every register is written on every path, so nothing from
 * kernel memory can reach the guest.
 */
#include <linux/array_size.h>
#include <linux/build_bug.h>
#include <linux/nospec.h>
#include <asm/kvm_exit_stats_types.h>

#include "exit_stats_leaf.h"

/* The vendor tables, with names; the one definition kernel and tools share. */
static const char *const vmx_exit_names[] = {
#define VMX_EXIT_REASON(code, name) \
	[code] = name,
#include "vmx/exit_reason_table.h"
#undef VMX_EXIT_REASON
};

static const char *const svm_exit_names[] = {
#define SVM_EXIT_CODE(code, name) \
	[code] = name,
#include "svm/exit_code_table.h"
#undef SVM_EXIT_CODE
};

/* VMX basic exit reasons are small and dense: the reason is the slot. */
static u32 vmx_exit_slot(u32 code)
{
	return code;
}

const struct kvm_exit_stats_taxonomy kvm_exit_stats_vmx = {
	.id = KVM_EXIT_STATS_TAXONOMY_VMX,
	.max_code = ARRAY_SIZE(vmx_exit_names) - 1,
	.names = vmx_exit_names,
	.slot = vmx_exit_slot,
};

const struct kvm_exit_stats_taxonomy kvm_exit_stats_svm = {
	.id = KVM_EXIT_STATS_TAXONOMY_SVM,
	.max_code = ARRAY_SIZE(svm_exit_names) - 1,
	.names = svm_exit_names,
	.slot = kvm_exit_stats_svm_slot,
};

/* every defined reason has a counter slot of its own */
static_assert(ARRAY_SIZE(vmx_exit_names) < KVM_EXIT_STATS_NR_SLOTS);
static_assert(ARRAY_SIZE(svm_exit_names) == KVM_EXIT_STATS_MAX_CODE + 1);
static_assert(KVM_EXIT_STATS_SVM_LOW_SLOTS + 4 < KVM_EXIT_STATS_SLOT_OTHER);
/* "no slot" is out of range, and never the totals */
static_assert(KVM_EXIT_STATS_NO_SLOT >= KVM_EXIT_STATS_NR_SLOTS);
static_assert(KVM_EXIT_STATS_NO_SLOT != KVM_EXIT_STATS_ALL);

const struct kvm_exit_stats_taxonomy *kvm_exit_stats_taxonomy(u32 id)
{
	if (id == KVM_EXIT_STATS_TAXONOMY_VMX)
		return &kvm_exit_stats_vmx;
	if (id == KVM_EXIT_STATS_TAXONOMY_SVM)
		return &kvm_exit_stats_svm;
	return NULL;
}

bool kvm_exit_stats_defined(const struct kvm_exit_stats_taxonomy *t, u32 code)
{
	if (code > t->max_code)
		return false;
	code = array_index_nospec(code, t->max_code + 1);
	return t->names[code];
}

bool kvm_exit_stats_leaf(const struct kvm_exit_stats_taxonomy *t,
			 const bool *enabled, u32 flags, u32 leaf, u32 index,
			 u32 regs[4], kvm_exit_stats_sum_fn sum, void *ctx)
{
	u64 count = 0, cycles = 0;
	u32 slot = KVM_EXIT_STATS_ALL;

	if (leaf < KVM_EXIT_STATS_LEAF_INFO || leaf > KVM_EXIT_STATS_LEAF_CYCLES)
		return false;

	regs[KVM_EXIT_STATS_EAX] = 0;
	regs[KVM_EXIT_STATS_EBX] = 0;
	regs[KVM_EXIT_STATS_ECX] = 0;
	regs[KVM_EXIT_STATS_EDX] = 0;

	if (leaf == KVM_EXIT_STATS_LEAF_INFO) {
		regs[KVM_EXIT_STATS_EAX] = KVM_EXIT_STATS_VERSION;
		regs[KVM_EXIT_STATS_EBX] = t->id;
		regs[KVM_EXIT_STATS_ECX] = t->max_code;
		regs[KVM_EXIT_STATS_EDX] = flags & KVM_EXIT_STATS_FLAG_HOST;
		return true;
	}

	if (leaf >= KVM_EXIT_STATS_LEAF_COUNT) {
		if (!kvm_exit_stats_defined(t, index)) {
			regs[KVM_EXIT_STATS_EDX] = KVM_EXIT_STATS_UNDEFINED;
			return true;
		}
		index = array_index_nospec(index, t->max_code + 1);
		if (!enabled[index])
			return true;
		/*
		 * The slot indexes the counters and t->slot() may branch on
		 * the guest's index (SVM): bound and clamp it as well.
		 */
		slot = t->slot(index);
		if (slot >= KVM_EXIT_STATS_NR_SLOTS)
			return true;
		slot = array_index_nospec(slot, KVM_EXIT_STATS_NR_SLOTS);
	}

	sum(ctx, slot, &count, &cycles);

	if (leaf == KVM_EXIT_STATS_LEAF_TOTAL_COUNT ||
	    leaf == KVM_EXIT_STATS_LEAF_COUNT) {
		regs[KVM_EXIT_STATS_EAX] = (u32)count;
	} else {
		regs[KVM_EXIT_STATS_EBX] = (u32)(cycles >> 32);
		regs[KVM_EXIT_STATS_ECX] = (u32)cycles;
	}
	return true;
}

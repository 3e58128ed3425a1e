/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exitprof CPUID leaves: interface constants and the pure leaf dispatch.
 * Free of vCPU and locking details so that user space (exitprof's unit tests
 * and guest tools) builds the very same code.
 */
#ifndef __KVM_X86_EXIT_STATS_LEAF_H
#define __KVM_X86_EXIT_STATS_LEAF_H

#include <linux/limits.h>
#include <linux/types.h>

#define KVM_EXIT_STATS_LEAF_INFO	0x4ffffffb
#define KVM_EXIT_STATS_LEAF_TOTAL_COUNT	0x4ffffffc
#define KVM_EXIT_STATS_LEAF_TOTAL_CYCLES 0x4ffffffd
#define KVM_EXIT_STATS_LEAF_COUNT	0x4ffffffe
#define KVM_EXIT_STATS_LEAF_CYCLES	0x4fffffff

#define KVM_EXIT_STATS_VERSION		1
#define KVM_EXIT_STATS_TAXONOMY_VMX	1	/* Intel SDM basic exit reasons */
#define KVM_EXIT_STATS_TAXONOMY_SVM	2	/* AMD APM SVM exit codes */
#define KVM_EXIT_STATS_FLAG_HOST	0x1	/* figures are host-wide */
#define KVM_EXIT_STATS_UNDEFINED	0xffffffff	/* edx for undefined codes */

/* Pseudo slot passed to the sum callback for the totals over all reasons. */
#define KVM_EXIT_STATS_ALL		0xffffffff
/*
 * What a slot mapping returns for a code outside the vendor table: no slot
 * (the counting code files it under "other").  Distinct from
 * KVM_EXIT_STATS_ALL, so that it can never read as the totals.
 */
#define KVM_EXIT_STATS_NO_SLOT		0xfffffffe

/* Largest code any vendor table defines, bounds the per-code arrays. */
#define KVM_EXIT_STATS_MAX_CODE		0x403

/*
 * Counter slot of an SVM exit code.  The codes are sparse: 0x0-0xa6 map to
 * the same slot, the NPF/AVIC/VMGEXIT block 0x400-0x403 follows them, and
 * anything else (e.g. VMEXIT_INVALID) gets KVM_EXIT_STATS_NO_SLOT, which the
 * counting code files under "other".
 */
#define KVM_EXIT_STATS_SVM_HIGH		0x400
#define KVM_EXIT_STATS_SVM_LOW_SLOTS	0xa7

static inline u32 kvm_exit_stats_svm_slot(u32 code)
{
	if (code < KVM_EXIT_STATS_SVM_LOW_SLOTS)
		return code;
	if (code - KVM_EXIT_STATS_SVM_HIGH <= 3)
		return KVM_EXIT_STATS_SVM_LOW_SLOTS + code -
		       KVM_EXIT_STATS_SVM_HIGH;
	return KVM_EXIT_STATS_NO_SLOT;
}

struct kvm_exit_stats_taxonomy {
	u32 id;			/* KVM_EXIT_STATS_TAXONOMY_* */
	u32 max_code;		/* highest code the vendor's manual defines */
	const char *const *names;	/* [max_code + 1], NULL: not defined */
	u32 (*slot)(u32 code);	/* counter slot of a defined code */
};

enum kvm_exit_stats_reg { KVM_EXIT_STATS_EAX, KVM_EXIT_STATS_EBX,
			  KVM_EXIT_STATS_ECX, KVM_EXIT_STATS_EDX };

typedef void (*kvm_exit_stats_sum_fn)(void *ctx, u32 slot, u64 *count,
				      u64 *cycles);

extern const struct kvm_exit_stats_taxonomy kvm_exit_stats_vmx;
extern const struct kvm_exit_stats_taxonomy kvm_exit_stats_svm;
/* The taxonomy with this KVM_EXIT_STATS_TAXONOMY_* id, or NULL. */
const struct kvm_exit_stats_taxonomy *kvm_exit_stats_taxonomy(u32 id);

bool kvm_exit_stats_defined(const struct kvm_exit_stats_taxonomy *t, u32 code);
bool kvm_exit_stats_leaf(const struct kvm_exit_stats_taxonomy *t,
			 const bool *enabled, u32 flags, u32 leaf, u32 index,
			 u32 regs[4], kvm_exit_stats_sum_fn sum, void *ctx);

#endif /* __KVM_X86_EXIT_STATS_LEAF_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fake CPUID backends for the guest-side unit tests: a patched KVM that
 * answers through the kernel's own leaf dispatch (exit_stats_leaf.c) with
 * the test's counters, and a stock KVM that knows none of the leaves.
 */
#ifndef EXITPROF_TEST_FAKE_KVM_H
#define EXITPROF_TEST_FAKE_KVM_H
#include <string.h>

#include "leaves.h"

/* The exitprof leaves via the kernel's dispatch; zeros for any other leaf. */
static void fake_kvm_answer(const bool *enabled, kvm_exit_stats_sum_fn sum,
			    uint32_t leaf, uint32_t sub, struct ep_regs *r)
{
	u32 regs[4];

	if (!kvm_exit_stats_leaf(&kvm_exit_stats_vmx, enabled, 0, leaf, sub,
				 regs, sum, NULL)) {
		memset(r, 0, sizeof(*r));
		return;
	}
	r->eax = regs[0];
	r->ebx = regs[1];
	r->ecx = regs[2];
	r->edx = regs[3];
}

/* Without a CPUID table from the VMM, unknown leaves read as zeros. */
static void stock_kvm(uint32_t leaf, uint32_t sub, struct ep_regs *r)
{
	(void)leaf;
	(void)sub;
	memset(r, 0, sizeof(*r));
}
#endif

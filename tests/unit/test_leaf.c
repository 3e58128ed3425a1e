// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's leaf dispatch (kernel/src/arch/x86/kvm/exit_stats_leaf.c),
 * built in user space and checked register by register against SPEC §1-2.
 * The oracle is the SPEC's own list of defined reasons, not the code's table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_stats_leaf.h"
#include <asm/kvm_exit_stats_types.h>


static const struct kvm_exit_stats_taxonomy *tax;

static bool enabled[KVM_EXIT_STATS_MAX_CODE + 1];
static unsigned long failures, checks, bad_slots;

/* SPEC §2: defined 0-34, 36, 37, 39-41, 43-70, 72-81, 84, 85. */
static bool sdm_defined(uint32_t n)
{
	return n <= 34 || n == 36 || n == 37 || (n >= 39 && n <= 41) ||
	       (n >= 43 && n <= 70) || (n >= 72 && n <= 81) || n == 84 ||
	       n == 85;
}

/* APM Vol. 2, Appendix C: 0x0-0xa6 and 0x400-0x403. */
static bool apm_defined(uint32_t n)
{
	return n <= 0xa6 || (n >= 0x400 && n <= 0x403);
}

static bool spec_defined(uint32_t n)
{
	return tax == &kvm_exit_stats_vmx ? sdm_defined(n) : apm_defined(n);
}

static bool fake_enabled(uint32_t n)
{
	return spec_defined(n) && n % 3 != 1;
}

#define ALL_COUNT	0x123456789abcULL
#define ALL_CYCLES	0xfedcba9876543210ULL

static uint64_t slot_count(uint32_t s)
{
	return ((uint64_t)(s + 1) << 32) + s * 7 + 3;
}

static uint64_t slot_cycles(uint32_t s)
{
	return ((uint64_t)(s + 1) << 33) | s;
}

static void fake_sum(void *ctx, u32 slot, u64 *count, u64 *cycles)
{
	(void)ctx;
	if (slot == KVM_EXIT_STATS_ALL) {
		*count += ALL_COUNT;
		*cycles += ALL_CYCLES;
		return;
	}
	if (slot >= KVM_EXIT_STATS_NR_SLOTS) {
		bad_slots++;
		return;
	}
	*count += slot_count(slot);
	*cycles += slot_cycles(slot);
}

static void expect(uint32_t leaf, uint32_t ecx, bool handled,
		   const uint32_t want[4])
{
	/* guards on both sides catch a write outside the four registers */
	struct { uint32_t pre[4], regs[4], post[4]; } f;
	bool got;
	int i;

	memset(&f, 0xa5, sizeof(f));
	got = kvm_exit_stats_leaf(tax, enabled, 0, leaf, ecx, f.regs,
				  fake_sum, NULL);
	checks++;
	for (i = 0; i < 4; i++) {
		if (f.pre[i] != 0xa5a5a5a5 || f.post[i] != 0xa5a5a5a5)
			goto fail;
		if (handled ? f.regs[i] != want[i] : f.regs[i] != 0xa5a5a5a5)
			goto fail;
	}
	if (got != handled)
		goto fail;
	return;
fail:
	if (failures++ < 20)
		fprintf(stderr,
			"FAIL leaf 0x%08" PRIx32 " ecx 0x%08" PRIx32 ": handled %d (want %d) regs %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " want %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %08" PRIx32 "\n",
			leaf, ecx, got, handled, f.regs[0], f.regs[1],
			f.regs[2], f.regs[3], want[0], want[1], want[2], want[3]);
}

static void check_reason(uint32_t n)
{
	uint32_t c[4] = { 0 }, t[4] = { 0 };

	if (!spec_defined(n)) {
		c[3] = t[3] = 0xffffffff;
	} else if (fake_enabled(n)) {
		c[0] = (uint32_t)slot_count(tax->slot(n));
		t[1] = (uint32_t)(slot_cycles(tax->slot(n)) >> 32);
		t[2] = (uint32_t)slot_cycles(tax->slot(n));
	}
	expect(KVM_EXIT_STATS_LEAF_COUNT, n, true, c);
	expect(KVM_EXIT_STATS_LEAF_CYCLES, n, true, t);
}

static void check_totals(uint32_t ecx)
{
	const uint32_t c[4] = { (uint32_t)ALL_COUNT, 0, 0, 0 };
	const uint32_t t[4] = { 0, ALL_CYCLES >> 32, (uint32_t)ALL_CYCLES, 0 };
	const uint32_t info[4] = { 1, tax->id, tax == &kvm_exit_stats_vmx ? 85 : 0x403, 0 };

	expect(KVM_EXIT_STATS_LEAF_TOTAL_COUNT, ecx, true, c);
	expect(KVM_EXIT_STATS_LEAF_TOTAL_CYCLES, ecx, true, t);
	expect(KVM_EXIT_STATS_LEAF_INFO, ecx, true, info);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void run(const struct kvm_exit_stats_taxonomy *t, bool exhaustive)
{
	static const uint32_t edges[] = { 86, 0xa6, 0xa7, 0xbf, 0xc0, 0xff,
		0x100, 0x3ff, 0x400, 0x403, 0x404, 0x405, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
	static const uint32_t others[] = { 0, 1, 0xd, 0x40000000, 0x40000001,
		0x4ffffff0, 0x4ffffffa, 0x50000000, 0x80000000, 0xffffffff };
	const uint32_t none[4] = { 0 };
	uint64_t i;
	uint32_t n;

	tax = t;
	for (n = 0; n <= KVM_EXIT_STATS_MAX_CODE; n++)
		enabled[n] = fake_enabled(n);

	for (n = 0; n <= 0x1000; n++) {
		check_reason(n);
		check_totals(n);
	}
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		check_reason(edges[i]);
		check_totals(edges[i]);
	}
	for (i = 0; i < 1000000; i++)
		check_reason(next());
	if (exhaustive)
		for (i = 0; i <= UINT32_MAX; i++) {
			check_reason((uint32_t)i);
			/* the totals ignore ECX: a stride is enough */
			if (!(i & 0xfff))
				check_totals((uint32_t)i);
			if (!(i & 0xfffffff) && i)
				fprintf(stderr, "test_leaf: %s ecx 0x%08" PRIx64 " ...\n",
					t == &kvm_exit_stats_vmx ? "vmx" : "svm", i);
		}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		expect(others[i], 0, false, none);
		expect(others[i], 10, false, none);
	}
	for (n = 0; n <= 0x1000; n++)
		if (spec_defined(n) != (n <= t->max_code && t->names[n])) {
			fprintf(stderr, "FAIL table %u: reason %u defined in the table %d, manual says %d\n",
				t->id, n, n <= t->max_code && t->names[n],
				spec_defined(n));
			failures++;
		}
	/* distinct defined codes never share a counter slot */
	for (n = 0; n <= t->max_code; n++)
		for (i = n + 1; i <= t->max_code; i++)
			if (t->names[n] && t->names[i] &&
			    t->slot(n) == t->slot((uint32_t)i)) {
				fprintf(stderr, "FAIL slots: %u and %u share %u\n",
					n, (uint32_t)i, t->slot(n));
				failures++;
			}
	/* every defined code has a slot in range */
	for (n = 0; n <= t->max_code; n++)
		if (t->names[n] && t->slot(n) >= KVM_EXIT_STATS_NR_SLOTS) {
			fprintf(stderr, "FAIL slots: %u maps to %u, out of range\n",
				n, t->slot(n));
			failures++;
		}
}

/*
 * SVM codes outside the APM table (the gap 0xa7-0x3ff, above 0x403, the
 * negative VMEXIT_INVALID and friends) have no slot: the mapping says so with
 * a value out of range that is not the "all reasons" one either, so that a
 * code in the gap can never read as the VM's totals.
 */
static void svm_no_slot(void)
{
	static const uint32_t codes[] = { 0xa7, 0xff, 0x3ff, 0x404, 0x405,
		0xffff, 0x7fffffff, 0xfffffffc, 0xfffffffd, 0xfffffffe,
		0xffffffff };
	uint32_t i, s;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		s = kvm_exit_stats_svm_slot(codes[i]);
		checks++;
		if (s < KVM_EXIT_STATS_NR_SLOTS || s == KVM_EXIT_STATS_ALL) {
			fprintf(stderr, "FAIL svm slot of 0x%x: 0x%x\n",
				codes[i], s);
			failures++;
		}
	}
}

int main(int argc, char **argv)
{
	/*
	 * "exhaustive [vmx|svm]" also walks all 2^32 ECX values, for one
	 * taxonomy or both (about 10 minutes each under ASan; make fuzz runs
	 * the two in parallel).
	 */
	bool exhaustive = argc > 1 && !strcmp(argv[1], "exhaustive");
	const char *only = exhaustive && argc > 2 ? argv[2] : NULL;

	if ((argc > 1 && !exhaustive) || argc > 3 ||
	    (only && strcmp(only, "vmx") && strcmp(only, "svm"))) {
		fprintf(stderr, "usage: test_leaf [exhaustive [vmx|svm]]\n");
		return 2;
	}
	if (!only || !strcmp(only, "vmx"))
		run(&kvm_exit_stats_vmx, exhaustive);
	if (!only || !strcmp(only, "svm"))
		run(&kvm_exit_stats_svm, exhaustive);
	svm_no_slot();
	if (bad_slots) {
		fprintf(stderr, "FAIL %lu sums asked for a slot out of range\n",
			bad_slots);
		failures++;
	}
	printf("test_leaf: %lu register checks, %s\n", checks,
	       only ? only : "Intel and AMD tables");
	printf("%lu passed, %lu failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}

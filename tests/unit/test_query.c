// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest-side reader (sampler/leaves.c) against a fake CPUID backend that
 * answers through the kernel's own leaf dispatch with made-up counters, and
 * against a backend without the leaves (stock KVM, bare metal).
 */
#include <stdio.h>
#include <string.h>

#include "fake_kvm.h"

static bool enabled[KVM_EXIT_STATS_MAX_CODE + 1];
static u64 counts[256], cycles[256];
static unsigned int passed, failed;

static void fake_sum(void *ctx, u32 slot, u64 *c, u64 *t)
{
	u32 s;

	(void)ctx;
	for (s = 0; s < 256; s++)
		if (slot == KVM_EXIT_STATS_ALL || slot == s) {
			*c += counts[s];
			*t += cycles[s];
		}
}

static void patched_kvm(uint32_t leaf, uint32_t sub, struct ep_regs *r)
{
	/* the asking CPUID exit is counted before the answer, as in KVM */
	counts[10]++;
	fake_kvm_answer(enabled, fake_sum, leaf, sub, r);
}

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

int main(void)
{
	struct ep_info info;
	struct ep_reason r, r2;
	char why[256];
	uint32_t total;

	enabled[1] = enabled[10] = enabled[30] = true;
	counts[1] = 0x1ffffff00ULL;	/* wraps in the 32-bit leaf */
	cycles[1] = 0x123456789ULL;

	ep_cpuid = stock_kvm;
	CHECK(!ep_probe(&info, why, sizeof(why)));
	CHECK(strstr(why, "0x4FFFFFFB") != NULL);

	ep_cpuid = patched_kvm;
	CHECK(ep_probe(&info, why, sizeof(why)));
	CHECK(info.version == 1 && info.taxonomy == 1 && info.max_reason == 85);
	CHECK(!strcmp(ep_reason_name(info.taxonomy, 1), "EXTERNAL_INTERRUPT"));
	CHECK(ep_reason_name(info.taxonomy, 35) == NULL);
	CHECK(ep_reason_name(info.taxonomy, 86) == NULL);
	CHECK(!strcmp(ep_reason_name(2, 0x72), "CPUID"));
	CHECK(!strcmp(ep_reason_name(2, 0x400), "NPF"));
	CHECK(ep_reason_name(2, 0xa7) == NULL && ep_reason_name(2, 0x404) == NULL);
	CHECK(ep_reason_name(3, 0) == NULL);

	ep_read_reason(1, &r);
	CHECK(r.state == EP_ENABLED && r.count == 0xffffff00u &&
	      r.cycles == 0x123456789ULL);
	ep_read_reason(11, &r);	/* defined, not handled */
	CHECK(r.state == EP_ZERO && r.count == 0 && r.cycles == 0);
	ep_read_reason(35, &r);
	CHECK(r.state == EP_UNDEFINED);
	ep_read_reason(0xffffffff, &r);
	CHECK(r.state == EP_UNDEFINED);

	/* back-to-back reads of reason 10 differ by the CPUID exits between */
	ep_read_reason(10, &r);
	ep_read_reason(10, &r2);
	CHECK(r2.count - r.count == 2);	/* each read is two CPUIDs */

	counts[30] = 5;
	total = ep_total_count();	/* counts its own CPUID first */
	CHECK(total == (uint32_t)(counts[1] + counts[10] + 5));
	CHECK(ep_total_cycles() == 0x123456789ULL);

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

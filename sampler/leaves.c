// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "leaves.h"

static void hw_cpuid(uint32_t leaf, uint32_t subleaf, struct ep_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(subleaf));
}

ep_cpuid_fn ep_cpuid = hw_cpuid;
uint64_t ep_cpuid_count;

/* Every CPUID this program executes goes through here and is counted. */
static void leaf(uint32_t l, uint32_t subleaf, struct ep_regs *r)
{
	ep_cpuid_count++;
	ep_cpuid(l, subleaf, r);
}

const char *ep_taxonomy_name(uint32_t taxonomy)
{
	switch (taxonomy) {
	case KVM_EXIT_STATS_TAXONOMY_VMX:
		return "Intel SDM basic exit reasons";
	case KVM_EXIT_STATS_TAXONOMY_SVM:
		return "AMD APM SVM exit codes";
	}
	return NULL;
}

const char *ep_reason_name(uint32_t taxonomy, uint32_t code)
{
	const struct kvm_exit_stats_taxonomy *t = kvm_exit_stats_taxonomy(taxonomy);

	return t && kvm_exit_stats_defined(t, code) ? t->names[code] : NULL;
}

bool ep_probe(struct ep_info *info, char *why, size_t whylen)
{
	struct ep_regs r;

	leaf(KVM_EXIT_STATS_LEAF_INFO, 0, &r);
	info->version = r.eax;
	info->taxonomy = r.ebx;
	info->max_reason = r.ecx;
	info->flags = r.edx;
	if (r.eax != KVM_EXIT_STATS_VERSION || !ep_taxonomy_name(r.ebx)) {
		snprintf(why, whylen,
			 "CPUID(0x%08X) answered eax=0x%08X ebx=0x%08X, not the exitprof signature (version %u, taxonomy 1 or 2)",
			 KVM_EXIT_STATS_LEAF_INFO, r.eax, r.ebx,
			 KVM_EXIT_STATS_VERSION);
		return false;
	}
	leaf(KVM_EXIT_STATS_LEAF_COUNT, UINT32_MAX, &r);
	if (r.edx != KVM_EXIT_STATS_UNDEFINED) {
		snprintf(why, whylen,
			 "CPUID(0x%08X, 0xFFFFFFFF) answered edx=0x%08X, not 0xFFFFFFFF for an undefined reason",
			 KVM_EXIT_STATS_LEAF_COUNT, r.edx);
		return false;
	}
	return true;
}

uint32_t ep_total_count(void)
{
	struct ep_regs r;

	leaf(KVM_EXIT_STATS_LEAF_TOTAL_COUNT, 0, &r);
	return r.eax;
}

uint64_t ep_total_cycles(void)
{
	struct ep_regs r;

	leaf(KVM_EXIT_STATS_LEAF_TOTAL_CYCLES, 0, &r);
	return (uint64_t)r.ebx << 32 | r.ecx;
}

uint32_t ep_reason_count(uint32_t code)
{
	struct ep_regs r;

	leaf(KVM_EXIT_STATS_LEAF_COUNT, code, &r);
	return r.eax;
}

uint64_t ep_reason_cycles(uint32_t code)
{
	struct ep_regs r;

	leaf(KVM_EXIT_STATS_LEAF_CYCLES, code, &r);
	return (uint64_t)r.ebx << 32 | r.ecx;
}

void ep_read_reason(uint32_t code, struct ep_reason *out)
{
	struct ep_regs c;

	leaf(KVM_EXIT_STATS_LEAF_COUNT, code, &c);
	out->count = c.eax;
	out->cycles = ep_reason_cycles(code);
	if (c.edx == KVM_EXIT_STATS_UNDEFINED)
		out->state = EP_UNDEFINED;
	else if (!out->count && !out->cycles)
		out->state = EP_ZERO;
	else
		out->state = EP_ENABLED;
}

int ep_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "exitprof %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ep_usage_hint(cmd);
}

int ep_usage_hint(const char *cmd)
{
	fprintf(stderr, "try 'exitprof %s --help'\n", cmd);
	return EP_EXIT_USAGE;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the exitprof CPUID leaves from inside a guest. */
#ifndef EXITPROF_LEAVES_H
#define EXITPROF_LEAVES_H
#include <stdbool.h>
#include <stdint.h>

#include "exit_stats_leaf.h"	/* leaf numbers, shared with the kernel */

struct ep_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* The CPUID instruction by default; unit tests install a fake backend. */
typedef void (*ep_cpuid_fn)(uint32_t leaf, uint32_t subleaf, struct ep_regs *r);
extern ep_cpuid_fn ep_cpuid;
/* CPUID instructions executed through this module so far (self-exits). */
extern uint64_t ep_cpuid_count;

struct ep_info {
	uint32_t version;
	uint32_t taxonomy;	/* KVM_EXIT_STATS_TAXONOMY_* */
	uint32_t max_reason;
	uint32_t flags;		/* KVM_EXIT_STATS_FLAG_* */
};

/*
 * A defined reason that this KVM does not handle and one that has not exited
 * yet both answer all zeros, so the leaves cannot tell them apart: EP_ZERO.
 * Any count proves the reason is handled (enabled).
 */
enum ep_reason_state { EP_ENABLED, EP_ZERO, EP_UNDEFINED };

struct ep_reason {
	enum ep_reason_state state;
	uint32_t count;		/* low 32 bits, wraps */
	uint64_t cycles;
};

/*
 * Detects the patched KVM: the 0x4ffffffb signature and an undefined reason
 * answering edx = 0xffffffff.  Returns false and a reason in @why if absent.
 */
bool ep_probe(struct ep_info *info, char *why, size_t whylen);
uint32_t ep_total_count(void);
uint64_t ep_total_cycles(void);
void ep_read_reason(uint32_t code, struct ep_reason *r);
/* One leaf each: a defined reason's count (low 32 bits), its cycles. */
uint32_t ep_reason_count(uint32_t code);
uint64_t ep_reason_cycles(uint32_t code);

const char *ep_taxonomy_name(uint32_t taxonomy);

/* Exit status of every subcommand for a usage error. */
#define EP_EXIT_USAGE	2
/*
 * A usage error of subcommand @cmd ("record"): one line naming the problem,
 * then "try 'exitprof CMD --help'", on stderr.  Returns EP_EXIT_USAGE.
 */
int ep_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Only the "try 'exitprof CMD --help'" line (getopt_long named the problem). */
int ep_usage_hint(const char *cmd);
/* Name of a defined reason, NULL if the vendor's manual does not define it. */
const char *ep_reason_name(uint32_t taxonomy, uint32_t code);
#endif

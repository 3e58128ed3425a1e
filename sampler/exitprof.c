// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof: the guest side of the exitprof VM-exit profiler.
 *
 *   exitprof query [N|--all]   read the exit statistics of this VM
 *   exitprof sample [OPTIONS]  the boot-timeline sampler (sample.c)
 *   exitprof record [OPTIONS]  the host side: one VM's exit_stats (record.c)
 *
 * Exit status: 0 ok, 1 reason N is not defined by the vendor's manual,
 * 2 usage error, 3 the exitprof leaves are absent (not a patched KVM guest).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leaves.h"
#include "record.h"
#include "sample.h"
#include "../analysis/analyze.h"

#define EXIT_UNDEFINED_REASON	1
#define EXIT_USAGE		2
#define EXIT_NO_LEAVES		3

static const char usage[] =
	"usage: exitprof query            total exits and cycles of this VM\n"
	"       exitprof query N          exits and cycles for exit reason N\n"
	"       exitprof query --all      every defined exit reason\n"
	"       exitprof sample [OPTIONS]   the boot-timeline sampler (--help)\n"
	"       exitprof record (-p PID | --vm-dir DIR | --next) [-o FILE] [OPTIONS]\n"
	"                                   on the KVM host, as root: one VM's counters (--help)\n"
	"       exitprof analyze [-o OUTDIR] PROFILE_DIR   rates, phases, charts (--help)\n"
	"       exitprof --help | --version\n"
	"\n"
	"Reads the exitprof CPUID leaves 0x4FFFFFFB-0x4FFFFFFF of a patched KVM.\n"
	"Cycles are TSC cycles KVM spent handling exits (from VM-exit to the end of\n"
	"in-kernel handling). Counts are the low 32 bits and wrap.\n"
	"N is decimal or 0x-prefixed hex, any 32-bit value.\n"
	"exitprof record runs on the host instead and reads a VM's debugfs file\n"
	"exit_stats, the same counters, into the samples format of exitprof sample.\n"
	"\n"
	"Exit status: 0 ok, 1 reason N not defined by the vendor's manual,\n"
	"2 usage error, 3 exitprof leaves absent (not a guest of a patched KVM);\n"
	"exitprof record's are in its --help.\n";

static int probe(struct ep_info *info)
{
	char why[256];

	if (ep_probe(info, why, sizeof(why)))
		return 0;
	fprintf(stderr,
		"exitprof: the exitprof CPUID leaves are absent: %s.\n"
		"exitprof: run this in a guest of a KVM with the exitprof patches loaded and kvm.exit_stats=1.\n",
		why);
	return EXIT_NO_LEAVES;
}

static const char *name_of(const struct ep_info *info, uint32_t code)
{
	const char *name = ep_reason_name(info->taxonomy, code);

	return name ? name : "UNNAMED";
}

static int query_totals(void)
{
	printf("CPUID(0x%08X), exits=%" PRIu32 "\n",
	       KVM_EXIT_STATS_LEAF_TOTAL_COUNT, ep_total_count());
	printf("CPUID(0x%08X), total time in vmm: %" PRIu64 " cycles\n",
	       KVM_EXIT_STATS_LEAF_TOTAL_CYCLES, ep_total_cycles());
	return 0;
}

static int query_reason(const struct ep_info *info, uint32_t code)
{
	struct ep_reason r;

	ep_read_reason(code, &r);
	if (r.state == EP_UNDEFINED) {
		printf("CPUID(0x%08X), exit number %" PRIu32
		       " is not defined by the %s (edx=0xFFFFFFFF)\n",
		       KVM_EXIT_STATS_LEAF_COUNT, code,
		       ep_taxonomy_name(info->taxonomy));
		return EXIT_UNDEFINED_REASON;
	}
	printf("CPUID(0x%08X), exit number %" PRIu32 " (%s) exits=%" PRIu32 "\n",
	       KVM_EXIT_STATS_LEAF_COUNT, code, name_of(info, code), r.count);
	printf("CPUID(0x%08X), exit number %" PRIu32
	       " (%s) time in vmm: %" PRIu64 " cycles\n",
	       KVM_EXIT_STATS_LEAF_CYCLES, code, name_of(info, code), r.cycles);
	if (r.state == EP_ZERO)
		printf("note: no exits yet, or not handled by this KVM (the leaves answer 0 for both)\n");
	return 0;
}

static int query_all(const struct ep_info *info)
{
	static const char *const state[] = {
		[EP_ENABLED] = "enabled",
		[EP_ZERO] = "zero",
		[EP_UNDEFINED] = "undefined",
	};
	struct ep_reason r;
	uint32_t code, bad = 0;

	printf("# exitprof interface v%" PRIu32 ", taxonomy %" PRIu32
	       " (%s), highest reason %" PRIu32 ", scope %s\n",
	       info->version, info->taxonomy, ep_taxonomy_name(info->taxonomy),
	       info->max_reason,
	       info->flags & KVM_EXIT_STATS_FLAG_HOST ? "host" : "vm");
	printf("%6s %-22s %10s %20s  %s\n", "reason", "name", "exits", "cycles",
	       "state");
	for (code = 0; code <= info->max_reason; code++) {
		if (!ep_reason_name(info->taxonomy, code))
			continue;
		ep_read_reason(code, &r);
		/* The kernel and this tool must agree on the defined set. */
		if (r.state == EP_UNDEFINED)
			bad++;
		printf("%6" PRIu32 " %-22s %10" PRIu32 " %20" PRIu64 "  %s\n",
		       code, name_of(info, code), r.count, r.cycles,
		       state[r.state]);
	}
	printf("%6s %-22s %10" PRIu32 " %20" PRIu64 "\n", "total", "-",
	       ep_total_count(), ep_total_cycles());
	printf("# zero: no exits yet, or not handled by this KVM (the leaves answer 0 for both)\n");
	if (bad) {
		fprintf(stderr,
			"exitprof: %" PRIu32 " reasons this tool knows are undefined for the kernel: version mismatch\n",
			bad);
		return EXIT_UNDEFINED_REASON;
	}
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int cmd_query(int argc, char **argv)
{
	struct ep_info info;
	uint32_t code = 0;
	int r;

	if (argc > 2) {
		fprintf(stderr, "exitprof query: too many arguments\n%s", usage);
		return EXIT_USAGE;
	}
	if (argc == 2 && strcmp(argv[1], "--all") &&
	    parse_u32(argv[1], &code)) {
		fprintf(stderr,
			"exitprof query: '%s' is not an exit reason number (0..4294967295)\n",
			argv[1]);
		return EXIT_USAGE;
	}
	r = probe(&info);
	if (r)
		return r;
	if (argc == 1)
		return query_totals();
	if (!strcmp(argv[1], "--all"))
		return query_all(&info);
	return query_reason(&info, code);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("exitprof %s (interface v%d)\n", EXITPROF_VERSION,
		       KVM_EXIT_STATS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "query"))
		return cmd_query(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sample"))
		return exitprof_sample(argc - 1, argv + 1);
	if (!strcmp(argv[1], "record"))
		return exitprof_record(argc - 1, argv + 1);
	if (!strcmp(argv[1], "analyze"))
		return exitprof_analyze(argc - 1, argv + 1);
	fprintf(stderr, "exitprof: unknown command '%s'\n%s", argv[1], usage);
	return EXIT_USAGE;
}

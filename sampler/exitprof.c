// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof: the one program of the exitprof VM-exit profiler.  main() picks
 * the subcommand from a table; each parses its own options (getopt_long)
 * and answers -h/--help.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leaves.h"
#include "record.h"
#include "sample.h"
#include "../analysis/analyze.h"
#include "../analysis/plot.h"

#define EXIT_UNDEFINED_REASON	1
#define EXIT_NO_LEAVES		3

static const char usage[] =
	"usage: exitprof query [N | --all]\n"
	"       exitprof sample [OPTIONS]\n"
	"       exitprof record (-p PID | --vm-dir DIR | --next) [OPTIONS]\n"
	"       exitprof analyze [-n] [-o OUTDIR] [-t] PROFILE_DIR\n"
	"       exitprof plot [-s SCRIPTS_DIR] RESULTS_DIR\n"
	"       exitprof help [COMMAND]\n"
	"       exitprof --version\n"
	"\n"
	"A VM-exit profiler for KVM: a patched KVM counts every VM exit per exit\n"
	"reason, with the cycles spent handling it, and answers the CPUID leaves\n"
	"0x4FFFFFFB-0x4FFFFFFF (in the guest) and a debugfs file exit_stats (on the\n"
	"host) with those counters.\n"
	"\n"
	"  query    in a guest: this VM's exits and cycles, in all or for one reason\n"
	"  sample   in a guest: the boot-timeline sampler (exitprof-sampler.service)\n"
	"  record   on the KVM host, as root: one VM's counters from its creation\n"
	"  analyze  a profile directory: exits per reason and boot phase, the boot's\n"
	"           total, summary.md and the charts' data\n"
	"  plot     draw an analysed profile's charts (PNG and SVG) with gnuplot\n"
	"  help     this text, or COMMAND's (the same as exitprof COMMAND --help)\n"
	"\n"
	"Exit status: 0 success, 2 usage error; further, by command:\n"
	"  query    1 reason N is not defined by the vendor's manual,\n"
	"           3 the exitprof leaves are absent (not a guest of a patched KVM)\n"
	"  sample   1 write error (0 also when the leaves are absent: nothing to do)\n"
	"  record   1 read or write error, 3 no VM to record (no debugfs, no such VM,\n"
	"           not root)\n"
	"  analyze  1 bad input (the message names file:line: column), 3 the results\n"
	"           could not be written, 4 written, but host and guest series disagree\n"
	"  plot     1 a chart failed, or RESULTS_DIR is not analysed, 3 gnuplot or the\n"
	"           chart scripts not found\n";

static const char query_usage[] =
	"usage: exitprof query [N | -a | --all]\n"
	"\n"
	"Read this VM's exit statistics from the exitprof CPUID leaves of a patched\n"
	"KVM (any privilege level; each read is itself a CPUID exit, and counted).\n"
	"Counts are the low 32 bits and wrap; cycles are TSC cycles KVM spent\n"
	"handling exits, from the VM exit to the end of its in-kernel handling.\n"
	"\n"
	"  (none)     total exits and cycles of this VM\n"
	"  N          exits and cycles of exit reason N (decimal or 0x hex, any\n"
	"             32-bit value; the vendor's manual defines which exist)\n"
	"  -a, --all  every defined exit reason: exits, cycles, and whether it\n"
	"             has exited (\"enabled\") or not (\"zero\")\n"
	"  -h, --help this text\n"
	"\n"
	"Exit status: 0 ok, 1 reason N is not defined by the vendor's manual,\n"
	"2 usage error, 3 the exitprof leaves are absent (not a guest of a patched\n"
	"KVM with kvm.exit_stats=1).\n";

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
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ep_info info;
	uint32_t code = 0;
	bool all = false;
	int c, r;

	argv[0] = (char *)"exitprof query";	/* getopt's messages */
	optind = 1;
	while ((c = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'h':
			fputs(query_usage, stdout);
			return 0;
		default:	/* getopt_long said what */
			return ep_usage_hint("query");
		}
	}
	if (argc - optind > 1 || (all && optind < argc))
		return ep_usage_error("query", "one of N or --all, not both or more ('%s')",
				      argv[argc - 1]);
	if (optind < argc && parse_u32(argv[optind], &code))
		return ep_usage_error("query", "'%s' is not an exit reason number (0..4294967295)",
				      argv[optind]);
	r = probe(&info);
	if (r)
		return r;
	if (all)
		return query_all(&info);
	if (optind == argc)
		return query_totals();
	return query_reason(&info, code);
}

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "query", cmd_query },
	{ "sample", exitprof_sample },
	{ "record", exitprof_record },
	{ "analyze", exitprof_analyze },
	{ "plot", exitprof_plot },
	{ "help", cmd_help },
};

static int find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

/* exitprof help [COMMAND]: COMMAND --help, which every command answers. */
static int cmd_help(int argc, char **argv)
{
	char *args[3] = { NULL, (char *)"--help", NULL };
	int i;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 2)
		return ep_usage_error("help", "one COMMAND only ('%s' and '%s')",
				      argv[1], argv[2]);
	i = find_command(argv[1]);
	if (i < 0)
		return ep_usage_error("help", "unknown command '%s'", argv[1]);
	args[0] = argv[1];
	return commands[i].fn(2, args);
}

int main(int argc, char **argv)
{
	static char name[32];
	int i;

	if (argc < 2) {
		fputs("exitprof: no command (query, sample, record, analyze, plot, help)\n"
		      "try 'exitprof --help'\n", stderr);
		return EP_EXIT_USAGE;
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
	i = find_command(argv[1]);
	if (i < 0) {
		fprintf(stderr, "exitprof: unknown %s '%s'\ntry 'exitprof --help'\n",
			argv[1][0] == '-' ? "option" : "command", argv[1]);
		return EP_EXIT_USAGE;
	}
	/* getopt's messages name the command: "exitprof sample: ..." */
	snprintf(name, sizeof(name), "exitprof %s", commands[i].name);
	argv[1] = name;
	return commands[i].fn(argc - 1, argv + 1);
}

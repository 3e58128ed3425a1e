// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof plot [-s SCRIPTS_DIR] RESULTS_DIR
 *
 * Runs gnuplot on every chart script (plots/NAME.gp) with the directory that
 * `exitprof analyze` wrote.  The scripts are found without the source tree:
 * installed (BINDIR/../share/exitprof/plots, then EXITPROF_PLOTS_DIR) or, for
 * build/exitprof, in the source tree's plots/.
 */
#define _GNU_SOURCE	/* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leaves.h"
#include "plot.h"

/* The charts, in the order a reader looks at them (analysis/README.md). */
static const char *const charts[] = {
	"timeline", "share", "heatmap", "phases", "cycles",
};

/* Files a chart may write, besides NAME.png/svg: the whole-profile views. */
static const char *const outputs[] = {
	"timeline", "timeline_all", "share", "share_all", "heatmap",
	"heatmap_all", "phases", "cycles",
};

static const char usage[] =
	"usage: exitprof plot [-s SCRIPTS_DIR] RESULTS_DIR\n"
	"\n"
	"Draw the charts of a profile that `exitprof analyze` has analysed\n"
	"(RESULTS_DIR holds its plotvars.gp and .dat files), as PNG and SVG in\n"
	"RESULTS_DIR: timeline (exits/s by reason over boot time, phases marked),\n"
	"share (each reason's share of the exits over time), heatmap (every\n"
	"reason's rate, log colour), phases (exits per boot phase) and cycles\n"
	"(share of the exit-handling cycles). A profile that goes on long after\n"
	"the boot also gets timeline_all, share_all and heatmap_all.\n"
	"Needs gnuplot (Debian: gnuplot-nox) on PATH.\n"
	"\n"
	"  -s, --scripts DIR  the chart scripts (default: BINDIR/../share/exitprof/plots,\n"
	"                     then " EXITPROF_PLOTS_DIR ", or plots/ of the\n"
	"                     source tree for its build/exitprof)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 every chart drawn, 1 a chart failed or RESULTS_DIR is not\n"
	"analysed, 2 usage error, 3 gnuplot or the chart scripts not found.\n";

static bool is_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
	       !stat(path, &st) && S_ISREG(st.st_mode);
}

/* The scripts' directory: the first of the candidates that holds them. */
static bool find_scripts(char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *rel[] = { "../share/exitprof/plots", "../plots" };
	size_t i;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
				if (snprintf(out, len, "%s/%s", exe, rel[i]) < (int)len &&
				    is_file(out, "common.gp"))
					return true;
		}
	}
	snprintf(out, len, "%s", EXITPROF_PLOTS_DIR);
	return is_file(out, "common.gp");
}

/* gnuplot on PATH, as execvp() would find it. */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH"), *p, *e;
	char f[PATH_MAX];

	for (p = path && *path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		if (snprintf(f, sizeof(f), "%.*s/gnuplot", (int)(e - p),
			     e > p ? p : ".") < (int)sizeof(f) &&
		    !access(f, X_OK))
			return true;
	}
	return false;
}

/* A gnuplot single-quoted string: only ' needs doubling. */
static char *gp_quote(const char *s)
{
	char *q = malloc(2 * strlen(s) + 1), *o = q;

	if (!q)
		return NULL;
	for (; *s; s++) {
		if (*s == '\'')
			*o++ = '\'';
		*o++ = *s;
	}
	*o = '\0';
	return q;
}

static int run_chart(const char *scripts, const char *results,
		     const char *chart)
{
	char script[PATH_MAX + 64], *qr = gp_quote(results), *qs = gp_quote(scripts);
	char *expr = NULL;
	int status = -1;
	pid_t pid;

	if (!qr || !qs ||
	    asprintf(&expr, "results='%s'; plots='%s'", qr, qs) < 0)
		expr = NULL;
	free(qr);
	free(qs);
	if (!expr) {
		fprintf(stderr, "exitprof plot: out of memory\n");
		return -1;
	}
	snprintf(script, sizeof(script), "%s/%s.gp", scripts, chart);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", "-e", expr, script, (char *)NULL);
		fprintf(stderr, "exitprof plot: gnuplot: %s\n", strerror(errno));
		_exit(127);
	}
	free(expr);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "exitprof plot: cannot run gnuplot: %s\n",
			strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "exitprof plot: %s.gp failed (%s %d)\n", chart,
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

int exitprof_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scripts", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char scripts[PATH_MAX] = "", name[64];
	const char *dir;
	bool given = false;
	int c, status = 0;
	size_t i;

	argv[0] = (char *)"exitprof plot";	/* getopt's messages */
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!*optarg)
				return ep_usage_error("plot", "--scripts '': empty");
			snprintf(scripts, sizeof(scripts), "%s", optarg);
			given = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:	/* getopt_long said what */
			return ep_usage_hint("plot");
		}
	}
	if (optind == argc)
		return ep_usage_error("plot", "no RESULTS_DIR");
	if (argc - optind > 1)
		return ep_usage_error("plot", "one RESULTS_DIR only ('%s' and '%s')",
				      argv[optind], argv[optind + 1]);
	dir = argv[optind];
	if (!is_file(dir, "plotvars.gp")) {
		fprintf(stderr, "exitprof plot: %s/plotvars.gp not found: run 'exitprof analyze %s' first\n",
			dir, dir);
		return EPP_EXIT_FAILED;
	}
	if (given ? !is_file(scripts, "common.gp") :
		    !find_scripts(scripts, sizeof(scripts))) {
		fprintf(stderr, "exitprof plot: the chart scripts (common.gp, timeline.gp, ...) are not in %s%s\n",
			scripts, given ? "" :
			": install exitprof (make install, or its .deb), or give --scripts DIR");
		return EPP_EXIT_MISSING;
	}
	if (!have_gnuplot()) {
		fprintf(stderr, "exitprof plot: gnuplot not found on PATH: install it (Debian: apt-get install gnuplot-nox)\n");
		return EPP_EXIT_MISSING;
	}
	/* a chart this profile does not get must not stay from an earlier run */
	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s.png", dir, outputs[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.svg", dir, outputs[i]);
		unlink(path);
	}
	for (i = 0; i < sizeof(charts) / sizeof(charts[0]); i++)
		if (run_chart(scripts, dir, charts[i]))
			status = EPP_EXIT_FAILED;
	/* what there is to look at, one chart a line */
	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		snprintf(name, sizeof(name), "%s.png", outputs[i]);
		if (is_file(dir, name))
			printf("%s/%s\n", dir, name);
	}
	return status;
}

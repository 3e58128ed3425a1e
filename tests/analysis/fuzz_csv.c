// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the profile readers and the whole analysis on arbitrary
 * bytes.  The input is samples.csv, then optionally the line "~~~" and
 * milestones.csv.  Outputs go to /dev/null.  Beyond the sanitizers it
 * checks that every bad-input message names its file and a line.
 *
 * An input with the line "%%%" is a merged profile: before it samples.csv
 * (and "~~~" milestones.csv), after it host-samples.csv.  Those go to
 * files and through exitprof_analyze() itself (alignment, both passes,
 * the check, the guest's tail), which must exit 0, 1 or 4.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"

#include "engine.h"
#include "profile.h"
#include "report.h"

static FILE *devnull;

/* fmemopen() cannot open zero bytes: /dev/null reads as an empty file. */
static FILE *open_bytes(const uint8_t *p, size_t n)
{
	return n ? fmemopen((void *)p, n, "r") : fopen("/dev/null", "r");
}

static void check_message(const char *err, int r)
{
	/* "s:LINE: ..." or "m:LINE: ..." for bad input */
	if (r == -1 && !((err[0] == 's' || err[0] == 'm') && err[1] == ':' &&
			 err[2] >= '1' && err[2] <= '9')) {
		fprintf(stderr, "bad-input message without file:line: %s\n", err);
		abort();
	}
}

static void put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!p) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

static const uint8_t *find(const uint8_t *p, size_t n, const char *mark)
{
	size_t i, m = strlen(mark);

	for (i = 0; i + m <= n; i++)
		if (!memcmp(p + i, mark, m))
			return p + i;
	return NULL;
}

static char merge_dir[512];

/* The merged path, through the command itself. */
static void merged(const uint8_t *data, size_t size, const uint8_t *at)
{
	char *const dir = merge_dir;
	static char out[600];
	const uint8_t *host = at + 5, *ms;
	size_t glen = (size_t)(at - data) + 1;
	char *argv[] = { "analyze", "-o", out, dir, NULL };
	int status, e, o;

	if (!dir[0]) {
		/* libFuzzer ends without atexit: fuzz.sh removes its TMPDIR */
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(merge_dir), "%s/exitprof-fuzz-merge.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			abort();
		snprintf(out, sizeof(out), "%s/out", dir);
	}
	ms = find(data, glen, "\n~~~\n");
	put(dir, "samples.csv", data, ms ? (size_t)(ms - data) + 1 : glen);
	put(dir, "milestones.csv", ms ? ms + 5 : NULL,
	    ms ? (size_t)(data + glen - ms - 5) : 0);
	put(dir, "host-samples.csv", host, (size_t)(data + size - host));
	fflush(stdout);
	fflush(stderr);
	o = dup(1);
	e = dup(2);
	dup2(fileno(devnull), 1);
	dup2(fileno(devnull), 2);
	status = exitprof_analyze(4, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	if (status != 0 && status != 1 && status != 4) {
		fprintf(stderr, "merged profile: exit %d\n", status);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mark[] = "\n~~~\n";
	const uint8_t *split = NULL;
	struct epa_samples s = { .accept_truncated = size & 1 };
	struct epa_milestones ms;
	struct epa_analysis a;
	char err[EPA_ERR_LEN] = "";
	size_t slen = size, i;
	FILE *sf, *mf = NULL;
	int r = 0;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	{
		const uint8_t *at = find(data, size, "\n%%%\n");

		if (at) {
			merged(data, size, at);
			return 0;
		}
	}
	memset(&a, 0, sizeof(a));
	for (i = 0; i + sizeof(mark) - 1 <= size; i++)
		if (!memcmp(data + i, mark, sizeof(mark) - 1)) {
			split = data + i + sizeof(mark) - 1;
			slen = i + 1;	/* keep the samples' last newline */
			break;
		}
	sf = open_bytes(data, slen);
	if (split)
		mf = open_bytes(split, (size_t)(data + size - split));
	if (!sf || (split && !mf))
		abort();
	if (mf) {
		r = epa_milestones_read(mf, "m", &ms, err);
		check_message(err, r);
	}
	if (!r) {
		r = epa_samples_open(&s, sf, "s", err);
		check_message(err, r);
	}
	if (!r)
		r = epa_analysis_init(&a, &s, mf ? &ms : NULL, devnull);
	if (!r) {
		while ((r = epa_samples_next(&s, err)) > 0)
			epa_analysis_row(&a);
		check_message(err, r);
	}
	if (!r) {
		epa_analysis_finish(&a);
		epa_write_reasons(&a, devnull);
		epa_write_phases(&a, devnull);
		epa_write_phase_reasons(&a, devnull);
		epa_write_timeline(&a, devnull);
		epa_write_heatmap(&a, devnull);
		epa_write_timeline_boot(&a, devnull);
		epa_write_heatmap_boot(&a, devnull);
		epa_write_cycles(&a, devnull);
		epa_write_plotvars(&a, devnull, "fuzz");
		epa_write_summary(&a, devnull, "fuzz");
		epa_write_table(&a, devnull, "fuzz");
	}
	epa_analysis_free(&a);
	epa_samples_close(&s);
	fclose(sf);
	if (mf)
		fclose(mf);
	return 0;
}

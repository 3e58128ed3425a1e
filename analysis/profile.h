/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers of the two profile files, samples.csv and milestones.csv
 * (sampler/FORMAT.md, format v1).  They check everything the format
 * promises and report the first violation as "file:line: column N (name):
 * what", so the analysis proper only ever sees well-formed rows.
 */
#ifndef EXITPROF_ANALYSIS_PROFILE_H
#define EXITPROF_ANALYSIS_PROFILE_H
#include <stdbool.h>
#include <stdint.h>

#include "csv.h"

#define EPA_SAMPLES_MAGIC	"# exitprof-samples v"
#define EPA_MILESTONES_MAGIC	"# exitprof-milestones v"
#define EPA_FORMAT_VERSION	1

/* Fixed columns before the per-reason pairs. */
enum { EPA_COL_TIME, EPA_COL_TOTAL, EPA_COL_CYCLES, EPA_COL_SELF,
       EPA_FIXED_COLS };

struct epa_meta {
	uint32_t taxonomy;	/* 1 Intel SDM, 2 AMD APM */
	uint32_t max_reason;
	bool host_scope;	/* scope=host: counters of every VM */
	uint32_t interval_ms;	/* 0: not given */
	uint32_t sweep_cpuids;	/* 0: not given */
	bool source_host;	/* source=host: exitprof record's file */
	bool have_created;	/* created_after_ns, created_ns given */
	uint64_t created_after_ns, created_ns;
	char vm[48];		/* vm=PID-FD, "" if not given */
};

struct epa_row {
	unsigned long line;
	uint64_t time_ns;
	uint32_t total;
	uint64_t cycles;
	uint64_t self_cpuid;
	uint32_t *n;		/* [nreasons] */
	uint64_t *cyc;		/* [nreasons] */
};

struct epa_samples {
	struct epa_lines in;
	struct epa_meta meta;
	size_t nreasons;	/* reason columns in the header (pairs) */
	uint32_t *codes;	/* [nreasons], ascending */
	int cpuid;		/* index of the CPUID reason, -1 if no column */
	size_t missing;		/* defined reasons without a column */
	bool accept_truncated;	/* a truncated last line ends the data */
	bool stopped_truncated;	/* ... and there was one */
	uint64_t time_base;	/* subtracted from every time_ns (host axis) */
	unsigned long rows;
	struct epa_row row[2];	/* current and previous, swapped per row */
	struct epa_row *cur, *prev;
};

/*
 * Reads magic, metadata and header.  0 ok, -1 bad input (message in err,
 * EPA_ERR_LEN bytes), -2 out of memory.
 */
int epa_samples_open(struct epa_samples *s, FILE *f, const char *path,
		     char *err);
/* 1 a row in s->cur (s->prev is the one before, or NULL), 0 end, -1 bad. */
int epa_samples_next(struct epa_samples *s, char *err);
void epa_samples_close(struct epa_samples *s);
/* Column name as in the header ("n10", "cyc10", "time_ns"), 1-based col. */
void epa_samples_colname(const struct epa_samples *s, size_t col, char *out,
			 size_t outlen);

/* The milestones FORMAT.md names, in boot order. */
enum epa_ms { EPA_MS_KERNEL, EPA_MS_INITRD, EPA_MS_USERSPACE, EPA_MS_SYSINIT,
	      EPA_MS_BASIC, EPA_MS_MULTIUSER, EPA_MS_FINISHED, EPA_MS_COUNT };
extern const char *const epa_ms_names[EPA_MS_COUNT];

struct epa_milestones {
	bool have[EPA_MS_COUNT];
	uint64_t time_us[EPA_MS_COUNT];
	unsigned int unknown;		/* rows with a name we do not know */
	char first_unknown[48];
};

/* 0 ok, -1 bad input (message in err), -2 out of memory. */
int epa_milestones_read(FILE *f, const char *path, struct epa_milestones *m,
			char *err);
#endif

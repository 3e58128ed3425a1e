/* SPDX-License-Identifier: GPL-2.0-only */
/* The boot-timeline sampler: exitprof sample (sampler/FORMAT.md). */
#ifndef EXITPROF_SAMPLE_H
#define EXITPROF_SAMPLE_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "leaves.h"

#define EP_FORMAT_VERSION 1

struct ep_sample_opts {
	unsigned int interval_ms;
	const char *run_dir;		/* samples.csv is written here first */
	const char *persist_dir;	/* ... and moved here when writable */
	int after_boot_s;		/* stop this long after boot finished */
	bool follow;			/* ... or never, until SIGTERM */
	unsigned long max_rows;		/* 0: no limit */
	bool initrd;			/* until SIGTERM, no persist, no milestones */
};

struct ep_milestone {
	const char *name;
	uint64_t time_us;	/* CLOCK_MONOTONIC, as systemd reports it */
};

/* What the sampler needs from the system; unit tests supply fakes. */
struct ep_env {
	uint64_t (*now)(void);			/* CLOCK_MONOTONIC, ns */
	void (*sleep_until)(uint64_t ns);	/* absolute; may return early */
	bool (*boot_finished)(void);
	int (*milestones)(struct ep_milestone *m, int max);
};

extern const struct ep_env ep_real_env;

/*
 * Writing samples.csv (sampler/FORMAT.md), shared by the guest sampler and
 * the host recorder (record.c).  The metadata line holds the keys of
 * struct ep_samples_meta in this order, then @extra ("key=value ...").
 */
struct ep_samples_meta {
	uint32_t taxonomy, max_reason;
	bool host_scope;		/* scope=host, else scope=vm */
	unsigned int interval_ms;
	unsigned int sweep_cpuids;
	const char *source;		/* "guest" or "host" */
	const char *extra;		/* more metadata, or NULL */
};

int ep_samples_header(FILE *f, const struct ep_samples_meta *m,
		      const uint32_t *codes, unsigned int ncodes);
/* A row: begin, one ep_samples_reason() per column pair, end. */
void ep_samples_row_begin(FILE *f, uint64_t time_ns, uint32_t total,
			  uint64_t cycles, uint64_t self_cpuid);
void ep_samples_reason(FILE *f, uint32_t count, uint64_t cycles);
/* Ends the row and flushes it to the file: 0, or -errno. */
int ep_samples_row_end(FILE *f);

/* Set by SIGTERM and SIGINT once ep_catch_stop_signals() has run. */
extern volatile sig_atomic_t ep_stop_requested;
/* Without SA_RESTART: a sleep returns at once (EINTR) on the signal. */
void ep_catch_stop_signals(void);

/*
 * strtonum(3)-like: @s is a decimal number in [min, max], nothing else.
 * Returns 0, or -1 with *why set to "invalid", "too small" or "too large".
 */
int ep_parse_num(const char *s, unsigned long long min, unsigned long long max,
		 unsigned long long *out, const char **why);

/* The first tick of the grid start + k * interval strictly after now. */
uint64_t ep_next_tick(uint64_t start, uint64_t interval, uint64_t now);
int ep_sample_run(const struct ep_sample_opts *o, const struct ep_env *env);
int exitprof_sample(int argc, char **argv);
#endif

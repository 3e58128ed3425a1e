/* SPDX-License-Identifier: GPL-2.0-only */
/* The boot-timeline sampler: exitprof sample (sampler/FORMAT.md). */
#ifndef EXITPROF_SAMPLE_H
#define EXITPROF_SAMPLE_H
#include <stdbool.h>
#include <stdint.h>

#include "leaves.h"

#define EP_FORMAT_VERSION 1

struct ep_sample_opts {
	unsigned int interval_ms;
	const char *run_dir;		/* samples.csv is written here first */
	const char *persist_dir;	/* ... and moved here when writable */
	int after_boot_s;		/* stop this long after boot finished */
	bool follow;			/* ... or never, until SIGTERM */
	unsigned long max_rows;		/* 0: no limit */
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

/* The first tick of the grid start + k * interval strictly after now. */
uint64_t ep_next_tick(uint64_t start, uint64_t interval, uint64_t now);
int ep_sample_run(const struct ep_sample_opts *o, const struct ep_env *env);
int exitprof_sample(int argc, char **argv);
#endif

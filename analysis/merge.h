/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host series (exitprof record, source=host) and a guest series
 * (exitprof sample) of the same VM on one time axis (analysis/README.md):
 *
 *  - alignment: for every guest row, the host time at which the host's
 *    total, interpolated linearly between host rows, reaches the guest's
 *    total (+ 0.5: the guest read some moment while the counter held that
 *    value); guest time + offset = host time, the offset the median over
 *    the rows, its error the spread of the per-row offsets around it;
 *  - the guest sampler's own CPUIDs on the host axis, for the engine;
 *  - the agreement check of FORMAT.md ("Comparing a host and a guest
 *    series") at checkpoints about a second apart over the common span.
 *
 * Memory: per row of either series its time and total (and the guest's
 * self_cpuid), 16-20 bytes a row, and per checkpoint (at most
 * EPA_MAX_CHECKPOINTS) four snapshots of the counters.
 */
#ifndef EXITPROF_ANALYSIS_MERGE_H
#define EXITPROF_ANALYSIS_MERGE_H
#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

#define EPA_MAX_CHECKPOINTS	4096
#define EPA_CHECK_SPACING_NS	1000000000ULL	/* at least this apart */
#define EPA_DISAGREE_SHOWN	8

/* One series' times and totals. */
struct epa_track {
	size_t n, cap;
	uint64_t *t;		/* time_ns as in the file */
	uint64_t *tot;		/* total, unwrapped (64-bit) */
	uint32_t *self;		/* self_cpuid (guest), else NULL */
	uint64_t self_sum;
};

struct epa_disagree {
	uint64_t t0, t1;	/* the chunk on the axis, ns */
	int reason;		/* host column, -1: the total */
	uint32_t code;
	uint64_t dh, dg, bound;	/* host and guest delta, the bound */
};

struct epa_merge {
	bool host, guest;	/* which series there are */
	const char *host_path, *guest_path;
	struct epa_meta hmeta, gmeta;
	uint64_t origin;	/* host ns of the axis' 0 */
	bool created;		/* origin = created_ns */

	/* alignment: guest ns + offset_ns = host ns */
	bool aligned;
	int64_t offset_ns;
	size_t align_rows;	/* guest rows the offset comes from */
	double res_med_ms, res_p95_ms, res_max_ms;	/* |per-row - median| */
	uint64_t err_ns;	/* the alignment error the check allows */
	uint64_t gspan0, gspan1;	/* the guest series on the axis, ns */
	uint64_t hspan1;	/* the host's last row on the axis */

	struct epa_track h, g;
	size_t gself;		/* next guest row whose CPUIDs are due */

	/* the check: checkpoints, snapshots of nsnap = nr + 1 counters */
	size_t nr, nsnap;
	uint32_t *codes;	/* host's reason codes [nr] */
	int *gcol;		/* host column -> guest column, -1: none */
	size_t nck;
	size_t *ck_h;		/* [nck] host row */
	size_t (*ck_g)[3];	/* [nck] guest rows p-1, i, q */
	uint32_t *hsnap;	/* [nck][nsnap] */
	uint32_t *gsnap;	/* [nck][3][nsnap] */
	size_t hcur, gcur[3];	/* snapshot cursors */
	unsigned long checks, ndis;
	uint64_t checked0, checked1;	/* span checked, on the axis */
	struct epa_disagree dis[EPA_DISAGREE_SHOWN], worst;
};

/*
 * Read a whole series for its times and totals (the first pass; it also
 * checks the file).  0 ok, -1 bad input (err), -2 out of memory, -3 the
 * file cannot be opened (err).
 */
int epa_track_read(const char *path, bool accept_truncated,
		   struct epa_meta *meta, struct epa_track *t, char *err);
void epa_track_free(struct epa_track *t);

/* Alignment and checkpoints; m->h and m->g read.  0, -1 (err), -2. */
int epa_merge_align(struct epa_merge *m, char *err);
/* The host's reason columns (before the engine pass), the guest's. */
int epa_merge_columns(struct epa_merge *m, const struct epa_samples *host,
		      const struct epa_samples *guest);
/* The guest sampler's CPUIDs due by host row time t (file time). */
uint64_t epa_merge_self(struct epa_merge *m, uint64_t host_t);
/* Snapshot the counters of a row if a checkpoint needs it. */
void epa_merge_host_row(struct epa_merge *m, size_t idx,
			const struct epa_row *r);
void epa_merge_guest_row(struct epa_merge *m, size_t idx,
			 const struct epa_row *r);
/* Compare at the checkpoints. */
void epa_merge_check(struct epa_merge *m);
void epa_merge_free(struct epa_merge *m);
#endif

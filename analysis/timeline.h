/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exits per reason over boot time in at most EPA_BINS equal time bins, for
 * the charts.  The profile's length is not known while it streams past, so
 * the bin width starts at the nominal interval (or the first interval's) and
 * doubles (neighbouring bins merge) whenever the next interval would not fit: memory stays fixed and
 * a long profile ends with between EPA_BINS/2 and EPA_BINS bins.
 *
 * A window (end != 0) has fixed bins over [origin, end) instead, and drops
 * what falls after it: the boot, seen closer in a profile that goes on long
 * after it.
 */
#ifndef EXITPROF_ANALYSIS_TIMELINE_H
#define EXITPROF_ANALYSIS_TIMELINE_H
#include <stddef.h>
#include <stdint.h>

#define EPA_BINS 1024

struct epa_bins {
	uint64_t origin;	/* ns, the first sample */
	uint64_t width;		/* ns, 0 until the first interval */
	uint64_t end;		/* ns, a window's end; 0: the whole profile */
	size_t used;		/* bins touched so far */
	size_t nr;		/* reasons per bin */
	double *exits;		/* [EPA_BINS][nr] */
};

int epa_bins_init(struct epa_bins *b, size_t nr, uint64_t origin);
/* Fix a window on bins from epa_bins_init(), each at least min_width. */
void epa_bins_window(struct epa_bins *b, uint64_t origin, uint64_t end,
		     uint64_t min_width);
void epa_bins_free(struct epa_bins *b);
/*
 * Spread an interval's exits over the bins it overlaps, in proportion to
 * time.  nz lists the reasons with a non-zero d[].
 */
void epa_bins_add(struct epa_bins *b, uint64_t t0, uint64_t t1,
		  const size_t *nz, size_t nnz, const uint64_t *d);
#endif

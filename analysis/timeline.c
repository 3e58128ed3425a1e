// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

int epa_bins_init(struct epa_bins *b, size_t nr, uint64_t origin)
{
	memset(b, 0, sizeof(*b));
	b->nr = nr;
	b->origin = origin;
	b->exits = calloc((size_t)EPA_BINS * (nr ? nr : 1), sizeof(double));
	return b->exits ? 0 : -1;
}

void epa_bins_window(struct epa_bins *b, uint64_t origin, uint64_t end,
		     uint64_t min_width)
{
	b->origin = origin;
	b->end = end;
	b->width = (end - origin + EPA_BINS - 1) / EPA_BINS;
	if (b->width < min_width)
		b->width = min_width;
}

void epa_bins_free(struct epa_bins *b)
{
	free(b->exits);
	b->exits = NULL;
}

/* Double the width: bin i becomes bins 2i and 2i+1 together. */
static void merge(struct epa_bins *b)
{
	size_t i, r, nr = b->nr;

	for (i = 0; i < EPA_BINS / 2; i++)
		for (r = 0; r < nr; r++)
			b->exits[i * nr + r] = b->exits[2 * i * nr + r] +
					       b->exits[(2 * i + 1) * nr + r];
	memset(b->exits + EPA_BINS / 2 * nr, 0,
	       EPA_BINS / 2 * nr * sizeof(double));
	b->width *= 2;
	b->used = (b->used + 1) / 2;
}

void epa_bins_add(struct epa_bins *b, uint64_t t0, uint64_t t1,
		  const size_t *nz, size_t nnz, const uint64_t *d)
{
	const double dt = (double)(t1 - t0);
	size_t i, k, first, last;

	if (b->end) {
		if (t0 >= b->end)
			return;
		if (t1 > b->end)
			t1 = b->end;	/* dt stays: the rest is outside */
	} else {
		if (!b->width)
			b->width = t1 - t0;
		while ((t1 - b->origin - 1) / b->width >= EPA_BINS)
			merge(b);
	}
	first = (t0 - b->origin) / b->width;
	last = (t1 - b->origin - 1) / b->width;
	for (i = first; i <= last; i++) {
		uint64_t lo = b->origin + i * b->width, hi = lo + b->width;
		double frac = (double)((t1 < hi ? t1 : hi) - (t0 > lo ? t0 : lo)) / dt;
		double *row = b->exits + i * b->nr;

		for (k = 0; k < nnz; k++)
			row[nz[k]] += (double)d[nz[k]] * frac;
	}
	if (last + 1 > b->used)
		b->used = last + 1;
}

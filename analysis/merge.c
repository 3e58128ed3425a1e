// SPDX-License-Identifier: GPL-2.0-only
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"

static int track_push(struct epa_track *t, uint64_t time, uint64_t tot,
		      uint64_t self)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		uint64_t *nt = realloc(t->t, cap * sizeof(*nt));

		if (!nt)
			return -2;
		t->t = nt;
		nt = realloc(t->tot, cap * sizeof(*nt));
		if (!nt)
			return -2;
		t->tot = nt;
		{
			uint32_t *ns = realloc(t->self, cap * sizeof(*ns));

			if (!ns)
				return -2;
			t->self = ns;
		}
		t->cap = cap;
	}
	t->t[t->n] = time;
	t->tot[t->n] = tot;
	t->self[t->n] = self > UINT32_MAX ? UINT32_MAX : (uint32_t)self;
	t->self_sum += self;
	t->n++;
	return 0;
}

int epa_track_read(const char *path, bool accept_truncated,
		   struct epa_meta *meta, struct epa_track *t, char *err)
{
	struct epa_samples s = { .accept_truncated = accept_truncated };
	uint32_t last = 0;
	uint64_t tot = 0;
	FILE *f = fopen(path, "r");
	int r;

	memset(t, 0, sizeof(*t));
	if (!f) {
		epa_errf(err, "exitprof analyze: %s: cannot open: %s", path,
			 strerror(errno));
		return -3;
	}
	r = epa_samples_open(&s, f, path, err);
	while (!r && (r = epa_samples_next(&s, err)) > 0) {
		const struct epa_row *c = s.cur;

		tot = s.rows == 1 ? c->total : tot + (uint32_t)(c->total - last);
		last = c->total;
		r = track_push(t, c->time_ns, tot, c->self_cpuid);
	}
	if (!r)
		*meta = s.meta;
	epa_samples_close(&s);
	fclose(f);
	return r;
}

void epa_track_free(struct epa_track *t)
{
	free(t->t);
	free(t->tot);
	free(t->self);
	memset(t, 0, sizeof(*t));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Last index with t[i] <= v (signed), or -1. */
static long last_le(const struct epa_track *g, int64_t v)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((int64_t)g->t[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* Guest rows p-1, i, q around host row a; false if the bound needs more. */
static bool around(const struct epa_merge *m, size_t a, size_t out[3])
{
	const int64_t u = (int64_t)m->h.t[a] - m->offset_ns;
	const int64_t e = (int64_t)m->err_ns;
	long i = last_le(&m->g, u), p = last_le(&m->g, u - e);
	long q = last_le(&m->g, u + e) + 1;

	if (p < 1 || i < 1 || q > (long)m->g.n - 1)
		return false;
	out[0] = (size_t)(p - 1);
	out[1] = (size_t)i;
	out[2] = (size_t)q;
	return true;
}

static int checkpoints(struct epa_merge *m)
{
	size_t a, first = SIZE_MAX, last = 0, g3[3];
	uint64_t spacing = EPA_CHECK_SPACING_NS, prev = 0;

	for (a = 0; a < m->h.n; a++)
		if (around(m, a, g3)) {
			if (first == SIZE_MAX)
				first = a;
			last = a;
		}
	if (first == SIZE_MAX || first == last)
		return 0;
	if ((m->h.t[last] - m->h.t[first]) / (EPA_MAX_CHECKPOINTS - 1) > spacing)
		spacing = (m->h.t[last] - m->h.t[first]) / (EPA_MAX_CHECKPOINTS - 1);
	m->ck_h = calloc(EPA_MAX_CHECKPOINTS + 1, sizeof(*m->ck_h));
	m->ck_g = calloc(EPA_MAX_CHECKPOINTS + 1, sizeof(*m->ck_g));
	if (!m->ck_h || !m->ck_g)
		return -2;
	for (a = first; a <= last; a++) {
		bool take = a == first || a == last ||
			    m->h.t[a] - prev >= spacing;

		if (!take || !around(m, a, g3))
			continue;
		/* the last one replaces a checkpoint too close before it */
		if (a == last && m->nck > 1 && m->h.t[a] - prev < spacing / 2)
			m->nck--;
		m->ck_h[m->nck] = a;
		memcpy(m->ck_g[m->nck], g3, sizeof(g3));
		m->nck++;
		prev = m->h.t[a];
	}
	return 0;
}

/*
 * The guest's count curve: row i read G_i as its sweep began (at s_i, the
 * total first); the sweep's own CPUIDs (row i+1's self_cpuid) follow at
 * once, then the interval's other exits, taken as evenly spread.  So the
 * curve is knots (s_i, G_i), (s_i, G_i + step), (s_(i+1), G_(i+1)): knot
 * 2i and 2i+1 of 2n-1.  The sampler's steps stand where they happened,
 * without knowing the offset.
 */
static void knot(const struct epa_track *g, size_t k, double *t, double *v)
{
	size_t i = k / 2;

	*t = (double)g->t[i];
	*v = (double)g->tot[i];
	if (k % 2) {
		uint64_t d = g->tot[i + 1] - g->tot[i], step = g->self[i + 1];

		*v += (double)(step < d ? step : d);
	}
}

/*
 * Per host row: the guest time at which the guest's curve reaches the
 * host's total + 0.5 (the host read some moment while the counter held
 * that value); the offset is the host row's time minus it.  Host rows
 * outside the guest's span are left out.  Returns how many.
 */
static size_t offsets(const struct epa_merge *m, double *off)
{
	const struct epa_track *h = &m->h, *g = &m->g;
	const size_t nk = 2 * g->n - 1;
	size_t a, n = 0;

	for (a = 0; a < h->n; a++) {
		const double want = (double)h->tot[a] + 0.5;
		size_t lo = 0, hi = nk;
		double t0, v0, t1, v1;

		while (lo < hi) {	/* the first knot beyond it */
			size_t mid = lo + (hi - lo) / 2;

			knot(g, mid, &t1, &v1);
			if (v1 > want)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo == 0 || lo == nk)
			continue;	/* outside the guest's span */
		knot(g, lo - 1, &t0, &v0);
		knot(g, lo, &t1, &v1);
		off[n++] = (double)h->t[a] -
			   (t0 + (want - v0) / (v1 - v0) * (t1 - t0));
	}
	return n;
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int epa_merge_align(struct epa_merge *m, char *err)
{
	const struct epa_track *h = &m->h, *g = &m->g;
	double *off = malloc((h->n + 1) * sizeof(*off));
	double med = 0;
	size_t i, n = 0;
	int r = -2;

	if (!off)
		goto out;
	n = offsets(m, off);
	if (n)
		med = median_of(off, n);
	if (!n) {
		epa_errf(err, "exitprof analyze: %s and %s: cannot align: the guest's totals (%" PRIu64 "..%" PRIu64 ") never meet the host's (%" PRIu64 "..%" PRIu64 "): not the same VM?",
			 m->guest_path, m->host_path, g->tot[0], g->tot[g->n - 1],
			 h->tot[0], h->tot[h->n - 1]);
		r = -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		off[i] = off[i] > med ? off[i] - med : med - off[i];
	qsort(off, n, sizeof(*off), cmp_double);
	m->aligned = true;
	m->offset_ns = (int64_t)(med + (med < 0 ? -0.5 : 0.5));
	m->align_rows = n;
	m->res_med_ms = (n % 2 ? off[n / 2] : (off[n / 2 - 1] + off[n / 2]) / 2) / 1e6;
	m->res_p95_ms = off[(n - 1) * 95 / 100] / 1e6;
	m->res_max_ms = off[n - 1] / 1e6;
	m->err_ns = (uint64_t)(off[(n - 1) * 95 / 100] + 1);
	{
		int64_t s0 = (int64_t)g->t[0] + m->offset_ns - (int64_t)m->origin;
		int64_t s1 = (int64_t)g->t[g->n - 1] + m->offset_ns - (int64_t)m->origin;

		m->gspan0 = s0 < 0 ? 0 : (uint64_t)s0;
		m->gspan1 = s1 < 0 ? 0 : (uint64_t)s1;
	}
	r = checkpoints(m);
out:
	free(off);
	return r;
}

int epa_merge_columns(struct epa_merge *m, const struct epa_samples *host,
		      const struct epa_samples *guest)
{
	size_t k, j = 0;

	m->nr = host->nreasons;
	m->nsnap = m->nr + 1;
	m->codes = calloc(m->nr + 1, sizeof(*m->codes));
	m->gcol = calloc(m->nr + 1, sizeof(*m->gcol));
	if (!m->codes || !m->gcol)
		return -2;
	for (k = 0; k < m->nr; k++) {
		m->codes[k] = host->codes[k];
		m->gcol[k] = -1;
		if (!guest)
			continue;
		while (j < guest->nreasons && guest->codes[j] < host->codes[k])
			j++;
		if (j < guest->nreasons && guest->codes[j] == host->codes[k])
			m->gcol[k] = (int)j;
	}
	if (!m->nck)
		return 0;
	m->hsnap = calloc(m->nck * m->nsnap, sizeof(*m->hsnap));
	m->gsnap = calloc(m->nck * 3 * m->nsnap, sizeof(*m->gsnap));
	return m->hsnap && m->gsnap ? 0 : -2;
}

uint64_t epa_merge_self(struct epa_merge *m, uint64_t host_t)
{
	uint64_t self = 0;

	/*
	 * Row j's self_cpuid are the CPUIDs of the sweep that began at row
	 * j-1 (row 0's: the sampler's start, just before it): they are due
	 * in the host interval in which that sweep began.
	 */
	while (m->guest && m->gself < m->g.n) {
		size_t j = m->gself;
		int64_t w = (int64_t)m->g.t[j ? j - 1 : 0] + m->offset_ns;

		if (w >= (int64_t)host_t)
			break;
		self += m->g.self[j];
		m->gself++;
	}
	return self;
}

void epa_merge_host_row(struct epa_merge *m, size_t idx,
			const struct epa_row *r)
{
	while (m->hcur < m->nck && m->ck_h[m->hcur] == idx) {
		uint32_t *s = m->hsnap + m->hcur * m->nsnap;

		memcpy(s, r->n, m->nr * sizeof(*s));
		s[m->nr] = r->total;
		m->hcur++;
	}
}

void epa_merge_guest_row(struct epa_merge *m, size_t idx,
			 const struct epa_row *r)
{
	int slot;

	for (slot = 0; slot < 3; slot++)
		while (m->gcur[slot] < m->nck &&
		       m->ck_g[m->gcur[slot]][slot] == idx) {
			uint32_t *s = m->gsnap + (m->gcur[slot] * 3 + slot) * m->nsnap;
			size_t k;

			for (k = 0; k < m->nr; k++)
				s[k] = m->gcol[k] >= 0 ? r->n[m->gcol[k]] : 0;
			s[m->nr] = r->total;
			m->gcur[slot]++;
		}
}

/* FORMAT.md's end term at checkpoint k: the larger guest delta around it */
static uint32_t end_term(const struct epa_merge *m, size_t k, size_t r)
{
	const uint32_t *g = m->gsnap + k * 3 * m->nsnap;
	uint32_t before = g[m->nsnap + r] - g[r];
	uint32_t after = g[2 * m->nsnap + r] - g[m->nsnap + r];

	return before > after ? before : after;
}

void epa_merge_check(struct epa_merge *m)
{
	size_t k, r;

	if (m->nck < 2 || !m->hsnap)
		return;
	m->checked0 = m->h.t[m->ck_h[0]] - m->origin;
	m->checked1 = m->h.t[m->ck_h[m->nck - 1]] - m->origin;
	for (k = 0; k + 1 < m->nck; k++) {
		const uint32_t *h0 = m->hsnap + k * m->nsnap;
		const uint32_t *h1 = h0 + m->nsnap;
		const uint32_t *g0 = m->gsnap + (k * 3 + 1) * m->nsnap;
		const uint32_t *g1 = g0 + 3 * m->nsnap;

		for (r = 0; r <= m->nr; r++) {
			uint64_t dh, dg, diff, bound;
			struct epa_disagree d;

			if (r < m->nr && m->gcol[r] < 0)
				continue;
			dh = (uint32_t)(h1[r] - h0[r]);
			dg = (uint32_t)(g1[r] - g0[r]);
			diff = dh > dg ? dh - dg : dg - dh;
			bound = (uint64_t)end_term(m, k, r) + end_term(m, k + 1, r);
			m->checks++;
			if (diff <= bound)
				continue;
			d.t0 = m->h.t[m->ck_h[k]] - m->origin;
			d.t1 = m->h.t[m->ck_h[k + 1]] - m->origin;
			d.reason = r < m->nr ? (int)r : -1;
			d.code = r < m->nr ? m->codes[r] : 0;
			d.dh = dh;
			d.dg = dg;
			d.bound = bound;
			if (m->ndis < EPA_DISAGREE_SHOWN)
				m->dis[m->ndis] = d;
			if (!m->ndis || diff - bound >
			    (m->worst.dh > m->worst.dg ? m->worst.dh - m->worst.dg :
			     m->worst.dg - m->worst.dh) - m->worst.bound)
				m->worst = d;
			m->ndis++;
		}
	}
}

void epa_merge_free(struct epa_merge *m)
{
	epa_track_free(&m->h);
	epa_track_free(&m->g);
	free(m->codes);
	free(m->gcol);
	free(m->ck_h);
	free(m->ck_g);
	free(m->hsnap);
	free(m->gsnap);
	memset(m, 0, sizeof(*m));
}

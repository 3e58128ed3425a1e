// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fmt.h"
#include "leaves.h"

enum { FIRST_SAMPLE = -1, LAST_SAMPLE = -2, NONE = -3, VM_CREATED = -4 };

static const struct {
	const char *id, *title;
	int from, to;	/* enum epa_ms or the pseudo milestones above */
} phase_defs[EPA_NPH] = {
	[EPA_PH_BEFORE] = { "before-sampler",
		"before the sampler started (kernel..first sample)",
		EPA_MS_KERNEL, FIRST_SAMPLE },
	[EPA_PH_FIRMWARE] = { "firmware",
		"firmware and loader (VM created..kernel)",
		VM_CREATED, EPA_MS_KERNEL },
	[EPA_PH_KERNEL] = { "kernel", "kernel (kernel..initrd)",
		EPA_MS_KERNEL, EPA_MS_INITRD },
	[EPA_PH_INITRD] = { "initrd", "initrd (initrd..userspace)",
		EPA_MS_INITRD, EPA_MS_USERSPACE },
	[EPA_PH_EARLY] = { "early-userspace",
		"early userspace (userspace..sysinit.target)",
		EPA_MS_USERSPACE, EPA_MS_SYSINIT },
	[EPA_PH_SYSINIT] = { "sysinit-basic", "sysinit.target..basic.target",
		EPA_MS_SYSINIT, EPA_MS_BASIC },
	[EPA_PH_BASIC] = { "basic-multi-user",
		"basic.target..multi-user.target",
		EPA_MS_BASIC, EPA_MS_MULTIUSER },
	[EPA_PH_MULTIUSER] = { "multi-user-finished",
		"multi-user.target..boot finished",
		EPA_MS_MULTIUSER, EPA_MS_FINISHED },
	[EPA_PH_AFTER] = { "after-boot", "after boot (finished..last sample)",
		EPA_MS_FINISHED, LAST_SAMPLE },
	[EPA_PH_UNATTRIBUTED] = { "unattributed",
		"sampled time in no phase (milestones missing)", NONE, NONE },
};

void epa_note(struct epa_analysis *a, const char *fmt, ...)
{
	va_list ap;

	if (a->nnotes >= EPA_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(a->notes[a->nnotes++], EPA_NOTE_LEN, fmt, ap);
	va_end(ap);
}

const char *epa_name(const struct epa_analysis *a, size_t r)
{
	const char *n = ep_reason_name(a->taxonomy, a->s->codes[r]);

	return n ? n : "?";	/* the reader admits defined codes only */
}

static uint64_t ms_ns(const struct epa_analysis *a, int m)
{
	return a->ms_at[m];
}

/* The milestones on the axis; one placed before the origin goes to 0. */
static void place_milestones(struct epa_analysis *a)
{
	int m;

	for (m = 0; m < EPA_MS_COUNT; m++) {
		int64_t v = (int64_t)(a->ms.time_us[m] * 1000) + a->axis.shift_ns;

		if (a->have_ms && a->ms.have[m] && v < 0)
			a->ms_clamped++;
		a->ms_at[m] = v < 0 ? 0 : (uint64_t)v;
	}
}

/* Ends known from the milestones alone; the sampled part comes later. */
static void setup_phases(struct epa_analysis *a)
{
	int p;

	for (p = 0; p < EPA_NPH; p++) {
		struct epa_phase *ph = &a->ph[p];
		int from = phase_defs[p].from, to = phase_defs[p].to;
		bool hf = from >= 0 && a->ms.have[from];
		bool ht = to < 0 || a->ms.have[to];

		ph->id = phase_defs[p].id;
		ph->title = phase_defs[p].title;
		ph->end_ns = UINT64_MAX;
		if (p == EPA_PH_BEFORE || p == EPA_PH_UNATTRIBUTED)
			continue;	/* decided at the first row, at finish */
		if (p == EPA_PH_FIRMWARE) {
			/* only a host series from the VM's creation sees it */
			if (!a->axis.host) {
				ph->hidden = true;
				continue;
			}
			hf = a->axis.created;
			if (!hf) {
				snprintf(ph->why, sizeof(ph->why),
					 "the host series does not say when the VM was created (no created_ns)");
				continue;
			}
		}
		if (p == EPA_PH_KERNEL && !a->ms.have[EPA_MS_INITRD] &&
		    a->ms.have[EPA_MS_USERSPACE]) {
			/* no initrd milestone: the kernel runs until userspace */
			to = EPA_MS_USERSPACE;
			ht = true;
			ph->title = "kernel (kernel..userspace, no initrd milestone)";
		}
		if (!a->have_ms) {
			snprintf(ph->why, sizeof(ph->why), "%s",
				 a->ms_unplaced ? "no guest series to place the milestones on the host's clock" :
						  "no milestones.csv");
			continue;
		}
		if (!hf || !ht) {
			snprintf(ph->why, sizeof(ph->why), "no %s%s%s milestone%s",
				 hf ? "" : epa_ms_names[from],
				 !hf && !ht ? " and no " : "",
				 ht ? "" : epa_ms_names[to],
				 !hf && !ht ? "s" : "");
			continue;
		}
		ph->formed = true;
		ph->start_ns = from == VM_CREATED ? 0 : ms_ns(a, from);
		if (to >= 0)
			ph->end_ns = ms_ns(a, to);
	}
}

int epa_analysis_init(struct epa_analysis *a, struct epa_samples *s,
		      const struct epa_milestones *ms, FILE *intervals_out)
{
	return epa_analysis_init_axis(a, s, ms, intervals_out, NULL);
}

int epa_analysis_init_axis(struct epa_analysis *a, struct epa_samples *s,
			   const struct epa_milestones *ms, FILE *intervals_out,
			   const struct epa_axis *axis)
{
	size_t nr = s->nreasons, n1 = nr ? nr : 1;
	int p;

	memset(a, 0, sizeof(*a));
	a->s = s;
	a->nr = nr;
	a->taxonomy = s->meta.taxonomy;
	if (axis)
		a->axis = *axis;
	a->have_ms = ms != NULL;
	if (ms)
		a->ms = *ms;
	if (a->have_ms && a->axis.host && !a->axis.guest) {
		/* a host-only profile: the guest's clock has no place here */
		a->have_ms = false;
		a->ms_unplaced = true;
	}
	place_milestones(a);
	a->zero.n = calloc(n1, sizeof(*a->zero.n));
	a->zero.cyc = calloc(n1, sizeof(*a->zero.cyc));
	if (!a->zero.n || !a->zero.cyc)
		return -2;
	a->intervals_out = intervals_out;
	a->exits = calloc(n1, sizeof(*a->exits));
	a->cycles = calloc(n1, sizeof(*a->cycles));
	a->d = calloc(n1, sizeof(*a->d));
	a->dc = calloc(n1, sizeof(*a->dc));
	a->nz = calloc(n1, sizeof(*a->nz));
	a->rank = calloc(n1, sizeof(*a->rank));
	a->line = malloc(EPA_FMT_NUM * (nr + 8));
	if (!a->exits || !a->cycles || !a->d || !a->dc || !a->nz || !a->rank ||
	    !a->line || epa_bins_init(&a->bins, nr, 0) ||
	    (a->have_ms && a->ms.have[EPA_MS_FINISHED] &&
	     epa_bins_init(&a->boot, nr, 0)))
		return -2;
	for (p = 0; p < EPA_NPH; p++) {
		a->ph[p].exits = calloc(n1, sizeof(double));
		a->ph[p].cycles = calloc(n1, sizeof(double));
		if (!a->ph[p].exits || !a->ph[p].cycles)
			return -2;
	}
	setup_phases(a);
	return 0;
}

void epa_analysis_free(struct epa_analysis *a)
{
	int p;

	free(a->exits);
	free(a->cycles);
	free(a->d);
	free(a->dc);
	free(a->nz);
	free(a->rank);
	free(a->line);
	free(a->zero.n);
	free(a->zero.cyc);
	epa_bins_free(&a->bins);
	epa_bins_free(&a->boot);
	for (p = 0; p < EPA_NPH; p++) {
		free(a->ph[p].exits);
		free(a->ph[p].cycles);
	}
	memset(a, 0, sizeof(*a));
}

/*
 * Take the sampler's own CPUIDs out of the CPUID reason in d/dc.  The
 * leaves give no per-exit cycles, so the cycles go in proportion.  Returns
 * the CPUID cycles taken out (for the total).
 */
static uint64_t subtract_self(struct epa_analysis *a, uint64_t self,
			      uint64_t *taken)
{
	int c = a->s->cpuid;
	uint64_t take, cyc;

	*taken = 0;
	if (self)
		a->self_seen = true;
	if (a->axis.host) {
		/* the host's rows: what this interval cannot cover waits */
		self += a->self_debt;
		a->self_debt = 0;
	}
	if (c < 0 || !self)
		return 0;
	take = a->d[c] < self ? a->d[c] : self;
	if (take < self && a->axis.host)
		a->self_debt = self - take;
	else if (take < self)
		a->clamped++;
	*taken = take;
	cyc = take && a->d[c] ?
		(uint64_t)((double)a->dc[c] * (double)take / (double)a->d[c]) : 0;
	a->d[c] -= take;
	a->dc[c] -= cyc;
	a->self_subtracted += take;
	return cyc;
}

/* The first time of the series: where the bins and the totals begin. */
/*
 * The first time of the series: where the bins and the totals begin.  The
 * bins are as wide as the nominal interval (interval_ms), the finest the
 * series can show, and wider only where the bin limit needs it; without
 * interval_ms the first interval sets the width.
 */
static void start(struct epa_analysis *a, uint64_t t)
{
	const uint64_t nominal = (uint64_t)a->s->meta.interval_ms * 1000000;

	a->t_first = a->t_last = a->t_start = t;
	a->bins.origin = t;
	a->bins.width = nominal;
	if (a->boot.exits) {
		uint64_t fin = ms_ns(a, EPA_MS_FINISHED), w = fin + 10 * 1000000000ULL;

		a->boot_end = w > 2 * fin ? w : 2 * fin;
		if (a->boot_end > t)
			epa_bins_window(&a->boot, t, a->boot_end, nominal);
		else
			epa_bins_free(&a->boot);
	}
}

static void first_row(struct epa_analysis *a, const struct epa_row *r)
{
	struct epa_phase *b = &a->ph[EPA_PH_BEFORE];
	uint64_t self_cyc, taken, kernel = ms_ns(a, EPA_MS_KERNEL);
	uint32_t tot;
	size_t k;

	start(a, r->time_ns);
	if (a->axis.host) {
		/* the counters since the VM's creation, at an unknown time */
		kernel = r->time_ns;
		b->title = a->axis.created ?
			"at the VM's creation (the first host row's counts)" :
			"before the recorder's first sample (VM created at an unknown time)";
	} else if (a->s->meta.host_scope) {
		snprintf(b->why, sizeof(b->why),
			 "scope=host: the first sample counts every VM since kvm was loaded");
		return;
	}
	if (!a->axis.host && kernel > r->time_ns) {
		snprintf(b->why, sizeof(b->why),
			 "the kernel milestone is after the first sample");
		return;
	}
	if (!a->axis.host && !a->ms.have[EPA_MS_KERNEL])
		epa_note(a, "no kernel milestone: before-sampler starts at 0, where CLOCK_MONOTONIC starts");
	for (k = 0; k < a->nr; k++) {
		a->d[k] = r->n[k];
		a->dc[k] = r->cyc[k];
	}
	self_cyc = subtract_self(a, r->self_cpuid, &taken);
	if (a->axis.host)
		tot = r->total - (r->total < taken ? r->total : (uint32_t)taken);
	else
		tot = r->total - (r->total < r->self_cpuid ? r->total :
				  (uint32_t)r->self_cpuid);
	b->formed = true;
	b->start_ns = b->cov_start = kernel;
	b->end_ns = b->cov_end = r->time_ns;
	b->cov_ns = r->time_ns - kernel;
	a->include_before = true;
	a->t_start = kernel;
	for (k = 0; k < a->nr; k++) {
		b->exits[k] = (double)a->d[k];
		b->cycles[k] = (double)a->dc[k];
		a->exits[k] = a->d[k];
		a->cycles[k] = a->dc[k];
	}
	b->total_exits = tot;
	b->total_cycles = (double)(r->cycles - self_cyc);
	a->total_exits = tot;
	a->total_cycles = r->cycles - self_cyc;
}

static void add_phase(struct epa_analysis *a, struct epa_phase *ph,
		      uint64_t t0, uint64_t t1, uint64_t ov, uint64_t dt,
		      size_t nnz, uint64_t dtot, uint64_t dcyc)
{
	const double f = (double)ov / (double)dt;
	size_t k;

	for (k = 0; k < nnz; k++) {
		size_t r = a->nz[k];

		ph->exits[r] += (double)a->d[r] * f;
		ph->cycles[r] += (double)a->dc[r] * f;
	}
	ph->total_exits += (double)dtot * f;
	ph->total_cycles += (double)dcyc * f;
	if (!ph->cov_ns || t0 < ph->cov_start)
		ph->cov_start = t0;
	if (t1 > ph->cov_end)
		ph->cov_end = t1;
	ph->cov_ns += ov;
}

static int write_interval(struct epa_analysis *a, uint64_t t0, uint64_t t1,
			  uint64_t dtot, uint64_t dcyc)
{
	const double per_s = 1e9 / (double)(t1 - t0);
	char *p = a->line;
	size_t r;

	p = epa_put_time(p, t0);
	*p++ = ' ';
	p = epa_put_time(p, t1);
	*p++ = ' ';
	p = epa_put_time(p, t1 - t0);
	*p++ = ' ';
	p = epa_put_fixed(p, (double)dtot * per_s);
	*p++ = ' ';
	p = epa_put_fixed(p, (double)dcyc * per_s);
	for (r = 0; r < a->nr; r++) {
		*p++ = ' ';
		p = a->d[r] ? epa_put_fixed(p, (double)a->d[r] * per_s) :
			      (*p = '0', p + 1);
	}
	*p++ = '\n';
	return fwrite(a->line, 1, (size_t)(p - a->line), a->intervals_out) ==
	       (size_t)(p - a->line) ? 0 : -3;
}

int epa_analysis_row(struct epa_analysis *a)
{
	const struct epa_row *c = a->s->cur, *p = a->s->prev;
	uint64_t t0, t1, dt, dtot, dcyc, self_cyc, taken, attributed = 0;
	size_t k, nnz = 0;
	int ph;

	if (!p && a->axis.host && a->axis.created && c->time_ns > 0) {
		/*
		 * KVM creates the VM's directory before any vCPU, so before
		 * any exit: at the origin every counter was 0, and the first
		 * row's counts are the first interval's.
		 */
		start(a, 0);
		a->ph[EPA_PH_BEFORE].hidden = true;
		p = &a->zero;
	} else if (!p) {
		first_row(a, c);
		return 0;
	}
	t0 = p->time_ns;
	t1 = c->time_ns;
	dt = t1 - t0;
	a->t_last = t1;
	a->intervals++;
	/* counts wrap at 2^32: the unsigned 32-bit difference is the delta */
	for (k = 0; k < a->nr; k++) {
		a->d[k] = (uint32_t)(c->n[k] - p->n[k]);
		a->dc[k] = c->cyc[k] - p->cyc[k];
	}
	self_cyc = subtract_self(a, c->self_cpuid, &taken);
	dtot = (uint32_t)(c->total - p->total);
	if (a->axis.host)
		dtot -= dtot < taken ? dtot : taken;
	else
		dtot -= dtot < c->self_cpuid ? dtot : c->self_cpuid;
	dcyc = c->cycles - p->cycles;
	dcyc -= dcyc < self_cyc ? dcyc : self_cyc;
	for (k = 0; k < a->nr; k++) {
		if (!a->d[k] && !a->dc[k])
			continue;
		a->nz[nnz++] = k;
		a->exits[k] += a->d[k];
		a->cycles[k] += a->dc[k];
	}
	a->total_exits += dtot;
	a->total_cycles += dcyc;

	/* a phase boundary inside the interval splits it by time */
	for (ph = EPA_PH_FIRMWARE; ph <= EPA_PH_AFTER; ph++) {
		struct epa_phase *x = &a->ph[ph];
		uint64_t lo = t0 > x->start_ns ? t0 : x->start_ns;
		uint64_t hi = t1 < x->end_ns ? t1 : x->end_ns;

		if (!x->formed || hi <= lo)
			continue;
		add_phase(a, x, lo, hi, hi - lo, dt, nnz, dtot, dcyc);
		attributed += hi - lo;
	}
	if (attributed < dt)
		add_phase(a, &a->ph[EPA_PH_UNATTRIBUTED], t0, t1,
			  dt - attributed, dt, nnz, dtot, dcyc);

	epa_bins_add(&a->bins, t0, t1, a->nz, nnz, a->d);
	if (a->boot.exits)
		epa_bins_add(&a->boot, t0, t1, a->nz, nnz, a->d);
	return a->intervals_out ? write_interval(a, t0, t1, dtot, dcyc) : 0;
}

/* How much of a formed phase the samples cover, in words. */
static void coverage(struct epa_analysis *a, struct epa_phase *ph)
{
	if (ph->end_ns == UINT64_MAX)
		ph->end_ns = ph->start_ns > a->t_last ? ph->start_ns : a->t_last;
	if (!ph->cov_ns) {
		if (ph->end_ns <= a->t_first && ph->end_ns > ph->start_ns)
			snprintf(ph->why, sizeof(ph->why),
				 "ended before the first sample: its exits are in before-sampler");
		else if (ph->start_ns >= a->t_last && ph->end_ns > ph->start_ns)
			snprintf(ph->why, sizeof(ph->why),
				 "began after the last sample: not sampled");
		else
			snprintf(ph->why, sizeof(ph->why), "zero length");
		return;
	}
	if (ph->cov_start > ph->start_ns && ph->cov_end < ph->end_ns)
		snprintf(ph->why, sizeof(ph->why),
			 "sampled %.3f..%.3f s of %.3f..%.3f s",
			 epa_s(ph->cov_start), epa_s(ph->cov_end),
			 epa_s(ph->start_ns), epa_s(ph->end_ns));
	else if (ph->cov_start > ph->start_ns)
		snprintf(ph->why, sizeof(ph->why),
			 "sampled from %.3f s (the first sample); began at %.3f s",
			 epa_s(ph->cov_start), epa_s(ph->start_ns));
	else if (ph->cov_end < ph->end_ns)
		snprintf(ph->why, sizeof(ph->why),
			 "sampled until %.3f s (the last sample); ended at %.3f s",
			 epa_s(ph->cov_end), epa_s(ph->end_ns));
}

static bool in_phase_top(const struct epa_analysis *a, size_t r)
{
	int p;

	for (p = 0; p < EPA_NPH; p++) {
		const double *e = a->ph[p].exits;
		size_t k, above = 0;

		if (!a->ph[p].formed || e[r] <= 0)
			continue;
		for (k = 0; k < a->nr; k++)
			above += e[k] > e[r] || (e[k] == e[r] && k < r);
		if (above < EPA_TOP_PHASE)
			return true;
	}
	return false;
}

/* The reasons the charts name: see EPA_TOP.  In overall rank order. */
static void pick_top(struct epa_analysis *a)
{
	size_t i;

	a->ntop = 0;
	for (i = 0; i < a->nseen && a->ntop < EPA_TOP_MAX; i++)
		if (i < EPA_TOP || in_phase_top(a, a->rank[i]))
			a->top[a->ntop++] = a->rank[i];
}

int epa_analysis_finish(struct epa_analysis *a)
{
	struct epa_phase *u = &a->ph[EPA_PH_UNATTRIBUTED];
	size_t i, j;
	int p;

	for (p = EPA_PH_FIRMWARE; p <= EPA_PH_AFTER; p++)
		if (a->ph[p].formed)
			coverage(a, &a->ph[p]);
	a->boot_view = a->boot.exits && a->boot.used && a->t_last > a->boot_end;
	if (u->cov_ns) {
		u->formed = true;
		u->start_ns = u->cov_start;
		u->end_ns = u->cov_end;
	}
	if (a->ms_unplaced)
		epa_note(a, "milestones.csv not used: without a guest series its clock cannot be placed on the host's; the samples are analysed as a whole");
	else if (!a->have_ms)
		epa_note(a, "no milestones.csv: the boot phases could not be formed; the samples are analysed as a whole");
	else
		for (p = 0; p < EPA_PH_UNATTRIBUTED; p++)
			if (!a->ph[p].formed && !a->ph[p].hidden)
				epa_note(a, "phase %s could not be formed: %s",
					 a->ph[p].id, a->ph[p].why);
	if (a->ms_clamped)
		epa_note(a, "%u milestone%s placed before the VM's creation by the alignment: put at 0",
			 a->ms_clamped, a->ms_clamped > 1 ? "s" : "");
	if (a->self_debt)
		epa_note(a, "%" PRIu64 " of the guest sampler's own CPUIDs found no CPUID exits left in the host series to take them from",
			 a->self_debt);
	if (a->ms.unknown)
		epa_note(a, "milestones.csv: %u milestone%s not known to this exitprof ignored (first: \"%s\")",
			 a->ms.unknown, a->ms.unknown > 1 ? "s" : "",
			 a->ms.first_unknown);
	if (a->s->missing)
		epa_note(a, "samples.csv has no columns for %zu defined reasons: they are not recorded, not \"never seen\"",
			 a->s->missing);
	if (a->s->cpuid < 0 && a->self_seen)
		epa_note(a, "samples.csv has no CPUID column: the sampler's own exits are taken out of the total only");
	if (a->clamped)
		epa_note(a, "%lu sample%s had fewer CPUID exits than the sampler's own CPUIDs: counted as 0 (is the scope right?)",
			 a->clamped, a->clamped > 1 ? "s" : "");
	if (a->s->stopped_truncated)
		epa_note(a, "%s:%lu: truncated last line ignored (--accept-truncated)",
			 a->s->in.path, a->s->in.line);

	/* by exits descending, then by code: insertion sort, nr is small */
	for (i = 0; i < a->nr; i++) {
		size_t r = i;

		for (j = i; j > 0 && a->exits[a->rank[j - 1]] < a->exits[r]; j--)
			a->rank[j] = a->rank[j - 1];
		a->rank[j] = r;
	}
	for (i = 0; i < a->nr; i++)
		a->nseen += a->exits[i] != 0;
	pick_top(a);
	return 0;
}

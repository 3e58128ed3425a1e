// SPDX-License-Identifier: GPL-2.0-only
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>	/* NAN and isnan are macros: no libm */
#include <stdlib.h>
#include <string.h>

#include "leaves.h"
#include "merge.h"
#include "report.h"

static int done(FILE *f)
{
	return ferror(f) ? -1 : 0;
}

static uint64_t sum_u64(const uint64_t *v, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static double sum_d(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/* A phase with figures: formed, and some time to show for it. */
static bool has_data(const struct epa_phase *ph)
{
	return ph->formed && !ph->hidden &&
	       (ph->cov_ns || ph->id[0] == 'b');
}

static double phase_exits(const struct epa_analysis *a,
			  const struct epa_phase *ph)
{
	return sum_d(ph->exits, a->nr);
}

/* exits/s over ns, NaN when there is no time to divide by */
static double rate(double exits, uint64_t ns)
{
	return ns ? exits / epa_s(ns) : NAN;
}

static void put_rate(FILE *f, double r)
{
	if (isnan(r))
		fputs("-", f);
	else
		fprintf(f, "%.1f", r);
}

/* Reasons of a phase by exits, descending, then by code. */
static void rank_by(const double *v, size_t n, size_t *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && v[out[j - 1]] < v[i]; j--)
			out[j] = out[j - 1];
		out[j] = i;
	}
}

/* Where the totals begin, in words. */
static const char *from_words(const struct epa_analysis *a)
{
	if (a->axis.host)
		return a->axis.created ? "VM creation" :
		       a->include_before ? "VM creation (time unknown)" :
					   "the first host sample";
	return a->include_before ? "VM start (kernel)" : "the first sample";
}

static const char *axis_words(const struct epa_analysis *a)
{
	return a->axis.host ? (a->axis.created ?
		"time since the VM was created (s, host CLOCK_MONOTONIC)" :
		"time since the recorder's first sample (s, host CLOCK_MONOTONIC)") :
		"time since the kernel started (s, CLOCK_MONOTONIC)";
}

static double window_s(const struct epa_analysis *a)
{
	return epa_s(a->t_last - a->t_start);
}

/*
 * The boot: from where the totals begin (the VM's creation, or the kernel's
 * start in a guest-only profile) to "finished", when the profile reaches
 * it.  Its figures are the whole profile's less the after-boot phase's.
 */
static bool boot_known(const struct epa_analysis *a)
{
	const struct epa_phase *after = &a->ph[EPA_PH_AFTER];

	return a->have_ms && a->ms.have[EPA_MS_FINISHED] && after->formed &&
	       a->ms_at[EPA_MS_FINISHED] >= a->t_start &&
	       a->ms_at[EPA_MS_FINISHED] <= a->t_last;
}

static double boot_exits(const struct epa_analysis *a, size_t r)
{
	double e = (double)a->exits[r] - a->ph[EPA_PH_AFTER].exits[r];

	return e > 0 ? e : 0;
}

static double boot_cycles(const struct epa_analysis *a, size_t r)
{
	double c = (double)a->cycles[r] - a->ph[EPA_PH_AFTER].cycles[r];

	return c > 0 ? c : 0;
}

static uint64_t boot_ns(const struct epa_analysis *a)
{
	return a->ms_at[EPA_MS_FINISHED] - a->t_start;
}

/* Why there is no boot total, in words. */
static const char *boot_unknown_why(const struct epa_analysis *a)
{
	if (a->ms_unplaced)
		return "a host-only profile cannot place the guest's milestones";
	if (!a->have_ms)
		return "no milestones.csv";
	if (!a->ms.have[EPA_MS_FINISHED])
		return "no finished milestone (systemd did not report the boot finished)";
	if (a->ms_at[EPA_MS_FINISHED] > a->t_last)
		return "the profile ends before the boot finished";
	return "the boot finished before the first sample";
}

int epa_write_reasons(const struct epa_analysis *a, FILE *f)
{
	const double ex = (double)sum_u64(a->exits, a->nr);
	const double cy = (double)sum_u64(a->cycles, a->nr);
	const uint64_t win = a->t_last - a->t_start;
	size_t i;

	fprintf(f, "# rank code name exits exits_pct exits_per_s cycles cycles_pct avg_cycles_per_exit\n"
		   "# every reason with a column, by exits descending; whole profile (%.6f s)\n",
		window_s(a));
	for (i = 0; i < a->nr; i++) {
		size_t r = a->rank[i];
		double e = (double)a->exits[r], c = (double)a->cycles[r];

		fprintf(f, "%zu %" PRIu32 " %s %" PRIu64 " %.4f ", i + 1,
			a->s->codes[r], epa_name(a, r), a->exits[r], pct(e, ex));
		put_rate(f, rate(e, win));
		fprintf(f, " %" PRIu64 " %.4f %.1f\n", a->cycles[r], pct(c, cy),
			e > 0 ? c / e : 0);
	}
	return done(f);
}

/* " EPT_VIOLATION HLT ... other": the names behind the top columns */
static void top_header(const struct epa_analysis *a, FILE *f)
{
	size_t i;

	for (i = 0; i < a->ntop; i++)
		fprintf(f, " %s", epa_name(a, a->top[i]));
	fputs(" other\n", f);
}

int epa_write_phases(const struct epa_analysis *a, FILE *f)
{
	int p;
	size_t i;

	fputs("# phase start_s end_s sampled_s exits exits_per_s cycles, then exits of:", f);
	top_header(a, f);
	fputs("# exits are fractional where a milestone fell between two samples (split by time)\n", f);
	for (p = 0; p < EPA_NPH; p++) {
		const struct epa_phase *ph = &a->ph[p];
		double e = phase_exits(a, ph), top = 0;

		if (!has_data(ph))
			continue;
		fprintf(f, "%s %.6f %.6f %.6f %.1f ", ph->id, epa_s(ph->start_ns),
			epa_s(ph->end_ns), epa_s(ph->cov_ns), e);
		put_rate(f, rate(e, ph->cov_ns));
		fprintf(f, " %.0f", sum_d(ph->cycles, a->nr));
		for (i = 0; i < a->ntop; i++) {
			fprintf(f, " %.1f", ph->exits[a->top[i]]);
			top += ph->exits[a->top[i]];
		}
		fprintf(f, " %.1f\n", e - top > 0 ? e - top : 0);
	}
	return done(f);
}

int epa_write_phase_reasons(const struct epa_analysis *a, FILE *f)
{
	int p;
	size_t i;

	fputs("# phase code name exits exits_per_s cycles avg_cycles_per_exit\n"
	      "# reasons with exits in the phase, by exits; fractional where split by time\n",
	      f);
	for (p = 0; p < EPA_NPH; p++) {
		const struct epa_phase *ph = &a->ph[p];

		if (!has_data(ph))
			continue;
		for (i = 0; i < a->nr; i++) {
			size_t r = a->rank[i];
			double e = ph->exits[r], c = ph->cycles[r];

			if (e <= 0)
				continue;
			fprintf(f, "%s %" PRIu32 " %s %.1f ", ph->id,
				a->s->codes[r], epa_name(a, r), e);
			put_rate(f, rate(e, ph->cov_ns));
			fprintf(f, " %.0f %.1f\n", c, c / e);
		}
	}
	return done(f);
}

/* The whole profile's bins, or the boot window's when it is worth it. */
static const struct epa_bins *view(const struct epa_analysis *a, bool boot)
{
	return boot ? (a->boot_view ? &a->boot : NULL) : &a->bins;
}

/* The width a bin's rate is over: the last bin may end early. */
static double bin_s(const struct epa_analysis *a, const struct epa_bins *bb,
		    size_t b)
{
	uint64_t lo = bb->origin + b * bb->width, hi = lo + bb->width;

	if (hi > a->t_last)
		hi = a->t_last;
	return hi > lo ? epa_s(hi - lo) : epa_s(bb->width);
}

static int write_timeline(const struct epa_analysis *a, FILE *f, bool boot)
{
	const struct epa_bins *b = view(a, boot);
	size_t i, k;

	fprintf(f, "# bin_start_s bin_end_s total_per_s, then exits/s of:");
	top_header(a, f);
	if (!b) {
		fputs("# no boot window: the profile does not go on long after the boot; see timeline.dat\n", f);
		return done(f);
	}
	fprintf(f, "# %zu bins of %.6f s from the first sample%s; the sampler's own CPUIDs taken out\n",
		b->used, epa_s(b->width), boot ? ", the boot only" : "");
	for (i = 0; i < b->used; i++) {
		const double *row = b->exits + i * a->nr, w = bin_s(a, b, i);
		double all = sum_d(row, a->nr), top = 0;

		fprintf(f, "%.6f %.6f %.3f", epa_s(b->origin + i * b->width),
			epa_s(b->origin + (i + 1) * b->width), all / w);
		for (k = 0; k < a->ntop; k++) {
			fprintf(f, " %.3f", row[a->top[k]] / w);
			top += row[a->top[k]];
		}
		fprintf(f, " %.3f\n", all - top > 0 ? (all - top) / w : 0);
	}
	return done(f);
}

static int write_heatmap(const struct epa_analysis *a, FILE *f, bool boot)
{
	const struct epa_bins *b = view(a, boot);
	size_t i, k;

	fprintf(f, "# bin_centre_s reason_row exits_per_s\n"
		   "# rows: the %zu reasons seen, most frequent on top (row %zu); plotvars.gp names them\n",
		a->nseen, a->nseen ? a->nseen - 1 : 0);
	if (!b) {
		fputs("# no boot window: the profile does not go on long after the boot; see heatmap.dat\n", f);
		return done(f);
	}
	for (i = 0; i < b->used; i++) {
		const double *row = b->exits + i * a->nr, w = bin_s(a, b, i);
		const double x = epa_s(b->origin + i * b->width) +
				 epa_s(b->width) / 2;

		for (k = 0; k < a->nseen; k++)
			fprintf(f, "%.6f %zu %.3f\n", x, a->nseen - 1 - k,
				row[a->rank[k]] / w);
		fputc('\n', f);
	}
	return done(f);
}

int epa_write_timeline(const struct epa_analysis *a, FILE *f)
{
	return write_timeline(a, f, false);
}

int epa_write_timeline_boot(const struct epa_analysis *a, FILE *f)
{
	return write_timeline(a, f, true);
}

int epa_write_heatmap(const struct epa_analysis *a, FILE *f)
{
	return write_heatmap(a, f, false);
}

int epa_write_heatmap_boot(const struct epa_analysis *a, FILE *f)
{
	return write_heatmap(a, f, true);
}

int epa_write_cycles(const struct epa_analysis *a, FILE *f)
{
	const double cy = (double)sum_u64(a->cycles, a->nr);
	double other = cy, other_exits = (double)sum_u64(a->exits, a->nr);
	size_t *idx = malloc((a->nr + 1) * sizeof(*idx));
	double *v = malloc((a->nr + 1) * sizeof(*v));
	size_t i, n = 0;

	if (!idx || !v) {
		free(idx);
		free(v);
		return -1;
	}
	for (i = 0; i < a->nr; i++)
		v[i] = (double)a->cycles[i];
	rank_by(v, a->nr, idx);
	fputs("# row name cycles cycles_pct avg_cycles_per_exit exits\n"
	      "# the reasons with the most exit-handling cycles, then the rest as other\n",
	      f);
	for (i = 0; i < a->nr && n < EPA_CYCLES_TOP; i++) {
		size_t r = idx[i];
		double e = (double)a->exits[r];

		if (!a->cycles[r])
			break;
		fprintf(f, "%zu %s %" PRIu64 " %.4f %.1f %" PRIu64 "\n", n,
			epa_name(a, r), a->cycles[r], pct(v[r], cy),
			e > 0 ? v[r] / e : 0, a->exits[r]);
		other -= v[r];
		other_exits -= e;
		n++;
	}
	if (other > 0)
		fprintf(f, "%zu other %.0f %.4f %.1f %.0f\n", n, other,
			pct(other, cy), other_exits > 0 ? other / other_exits : 0,
			other_exits);
	free(idx);
	free(v);
	return done(f);
}

/* A gnuplot single-quoted string: only ' needs doubling. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

int epa_write_plotvars(const struct epa_analysis *a, FILE *f,
		       const char *label)
{
	int p, n = 0;
	size_t i;

	fputs("# gnuplot variables for plots/*.gp, written by exitprof analyze\n", f);
	fputs("ep_title = ", f);
	gp_str(f, label);
	fprintf(f, "\nep_taxonomy = '%s'\nep_scope = '%s'\n",
		ep_taxonomy_name(a->taxonomy),
		a->s->meta.host_scope ? "host" : "vm");
	fprintf(f, "ep_t_first = %.6f\nep_t_last = %.6f\n", epa_s(a->t_first),
		epa_s(a->t_last));
	fprintf(f, "ep_axis = '%s'\nep_xlabel = ", a->axis.host ? "host" : "guest");
	gp_str(f, axis_words(a));
	fputc('\n', f);
	fprintf(f, "ep_nintervals = %lu\nep_nbins = %zu\nep_bin_s = %.6f\n",
		a->intervals, a->bins.used, epa_s(a->bins.width));
	/* timeline_boot.dat, heatmap_boot.dat: the boot closer, if drawn */
	fprintf(f, "ep_boot_view = %d\nep_boot_end = %.6f\nep_boot_nbins = %zu\nep_boot_bin_s = %.6f\n",
		a->boot_view, a->boot_view ? epa_s(a->boot_end) : epa_s(a->t_last),
		a->boot_view ? a->boot.used : a->bins.used,
		epa_s(a->boot_view ? a->boot.width : a->bins.width));
	/* the end of the boot on the axis, for the charts' "finished" line */
	fprintf(f, "ep_finished = %.6f\n", a->have_ms && a->ms.have[EPA_MS_FINISHED] ?
		epa_s(a->ms_at[EPA_MS_FINISHED]) : -1.0);
	fprintf(f, "ep_ntop = %zu\narray ep_top[%zu]", a->ntop,
		a->ntop ? a->ntop : 1);
	for (i = 0; i < (a->ntop ? a->ntop : 1); i++)
		fprintf(f, "%s'%s'", i ? ", " : " = [",
			a->ntop ? epa_name(a, a->top[i]) : "");
	fputs("]\n", f);

	for (p = 0; p < EPA_NPH; p++)
		n += has_data(&a->ph[p]);
	fprintf(f, "ep_nphases = %d\n", n);
	fprintf(f, "array ep_phase_name[%d]", n ? n : 1);
	n = 0;
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fprintf(f, "%s'%s'", n++ ? ", " : " = [", a->ph[p].id);
	fputs(n ? "]\n" : " = ['']\n", f);
	fprintf(f, "array ep_phase_start[%d]", n ? n : 1);
	n = 0;
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fprintf(f, "%s%.6f", n++ ? ", " : " = [",
				epa_s(a->ph[p].cov_start));
	fputs(n ? "]\n" : " = [0]\n", f);
	fprintf(f, "array ep_phase_end[%d]", n ? n : 1);
	n = 0;
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fprintf(f, "%s%.6f", n++ ? ", " : " = [",
				epa_s(a->ph[p].cov_end));
	fputs(n ? "]\n" : " = [0]\n", f);
	/* the nominal length: more than end - start where not all sampled */
	fprintf(f, "array ep_phase_len[%d]", n ? n : 1);
	n = 0;
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fprintf(f, "%s%.6f", n++ ? ", " : " = [",
				epa_s(a->ph[p].end_ns - a->ph[p].start_ns));
	fputs(n ? "]\n" : " = [0]\n", f);
	fprintf(f, "array ep_phase_rate[%d]", n ? n : 1);
	n = 0;
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p])) {
			double r = rate(phase_exits(a, &a->ph[p]), a->ph[p].cov_ns);

			fprintf(f, "%s%.1f", n++ ? ", " : " = [", isnan(r) ? 0 : r);
		}
	fputs(n ? "]\n" : " = [0]\n", f);

	fprintf(f, "ep_nseen = %zu\nep_heat_ytics = '(", a->nseen);
	for (i = 0; i < a->nseen; i++)
		fprintf(f, "%s\"%s\" %zu", i ? ", " : "", epa_name(a, a->rank[i]),
			a->nseen - 1 - i);
	fputs(")'\n", f);
	return done(f);
}

/* Exits for people: whole when whole, one decimal below 10 (0.4, not 0). */
static void put_exits(FILE *f, double v)
{
	if (v == (double)(uint64_t)v || v >= 10)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.1f", v);
}

/* The k most (least) frequent of v by idx; md: names as `code`. */
static void md_top(const struct epa_analysis *a, FILE *f, const double *v,
		   size_t *idx, bool least, size_t k, bool md)
{
	size_t i, n = 0, seen = 0;

	for (i = 0; i < a->nr; i++)
		seen += v[idx[i]] > 0;
	for (i = 0; i < seen && n < k; i++) {
		size_t r = idx[least ? seen - 1 - i : i];

		fprintf(f, md ? "%s`%s` " : "%s%s ", n++ ? ", " : "",
			epa_name(a, r));
		put_exits(f, v[r]);
	}
	if (!n)
		fputs("none", f);
}

/* A length for people: 1.1 ms, 239 ms, 2.361 s. */
static void put_len(FILE *f, int width, uint64_t ns)
{
	char b[32];

	if (ns < 10000000)
		snprintf(b, sizeof(b), "%.1f ms", (double)ns / 1e6);
	else if (ns < 1000000000)
		snprintf(b, sizeof(b), "%.0f ms", (double)ns / 1e6);
	else
		snprintf(b, sizeof(b), "%.3f s", epa_s(ns));
	fprintf(f, "%*s", width, b);
}

static void table_boot(const struct epa_analysis *a, FILE *f)
{
	double e = 0;
	size_t r;

	if (!boot_known(a)) {
		fprintf(f, "Boot: no total: %s.\n\n", boot_unknown_why(a));
		return;
	}
	for (r = 0; r < a->nr; r++)
		e += boot_exits(a, r);
	fprintf(f, "Boot: %.0f exits from %s to boot finished, %.3f s (%.1f exits/s)\n\n",
		e, from_words(a), epa_s(boot_ns(a)), rate(e, boot_ns(a)));
}

static void table_phases(const struct epa_analysis *a, FILE *f)
{
	const double all = (double)sum_u64(a->exits, a->nr);
	size_t *idx = malloc((a->nr + 1) * sizeof(*idx));
	int p;

	if (!idx)
		return;
	fprintf(f, "Boot phases, from..to in %s:\n\n", axis_words(a));
	fprintf(f, "%-20s %17s %9s %10s %7s %10s  %s\n", "phase", "from..to",
		"length", "exits", "exits%", "exits/s", "most frequent");
	for (p = 0; p < EPA_NPH; p++) {
		const struct epa_phase *ph = &a->ph[p];
		double e = phase_exits(a, ph);
		char span[40];

		if ((p == EPA_PH_UNATTRIBUTED && !ph->formed) || ph->hidden)
			continue;
		if (!has_data(ph)) {
			fprintf(f, "%-20s %s: %s\n", ph->id,
				ph->formed ? "no samples" : "not formed",
				ph->why[0] ? ph->why : "no data");
			continue;
		}
		snprintf(span, sizeof(span), "%.3f..%.3f", epa_s(ph->start_ns),
			 epa_s(ph->end_ns));
		fprintf(f, "%-20s %17s ", ph->id, span);
		put_len(f, 9, ph->end_ns - ph->start_ns);
		fprintf(f, " %10.0f %6.2f%% ", e, pct(e, all));
		if (isnan(rate(e, ph->cov_ns)))
			fprintf(f, "%10s  ", "-");
		else
			fprintf(f, "%10.1f  ", rate(e, ph->cov_ns));
		rank_by(ph->exits, a->nr, idx);
		md_top(a, f, ph->exits, idx, false, 3, false);
		if (ph->cov_ns && ph->cov_ns < ph->end_ns - ph->start_ns)
			fprintf(f, " (%s)", ph->why);
		fputc('\n', f);
	}
	fputc('\n', f);
	free(idx);
}

int epa_write_table(const struct epa_analysis *a, FILE *f, const char *label)
{
	const uint64_t ex = sum_u64(a->exits, a->nr);
	const uint64_t cy = sum_u64(a->cycles, a->nr);
	const uint64_t win = a->t_last - a->t_start;
	size_t i;

	fprintf(f, "Analyze events for %s (%s, scope %s):\n", label,
		ep_taxonomy_name(a->taxonomy),
		a->s->meta.host_scope ? "host" : "vm");
	fprintf(f, "%s to the last sample, %.3f..%.3f s, %lu %ssamples; %" PRIu64
		" of the sampler's own CPUID exits taken out\n",
		from_words(a), epa_s(a->t_start), epa_s(a->t_last), a->s->rows,
		a->axis.host ? "host " : "", a->self_subtracted);
	if (a->merge && a->merge->guest)
		fprintf(f, "Host and guest series aligned: guest + %.6f s = host, median |residual| %.3f ms; %s\n",
			(double)a->merge->offset_ns / 1e9, a->merge->res_med_ms,
			a->merge->nck < 2 ? "no common span to compare" :
			a->merge->ndis ? "they DISAGREE beyond FORMAT.md's bound (summary.md)" :
					 "they agree within FORMAT.md's bound");
	fputc('\n', f);
	table_boot(a, f);
	table_phases(a, f);
	fprintf(f, "Exit reasons, whole profile (%.3f..%.3f s):\n\n",
		epa_s(a->t_start), epa_s(a->t_last));
	fprintf(f, "%24s %5s %12s %8s %8s %12s %12s\n\n", "VM-EXIT", "code",
		"Exits", "Exits%", "Time%", "Avg cycles", "Exits/s");
	for (i = 0; i < a->nseen; i++) {
		size_t r = a->rank[i];
		double e = (double)a->exits[r], c = (double)a->cycles[r];
		double rt = rate(e, win);

		fprintf(f, "%24s %5" PRIu32 " %12" PRIu64 " %7.2f%% %7.2f%% %12.1f ",
			epa_name(a, r), a->s->codes[r], a->exits[r],
			pct(e, (double)ex), pct(c, (double)cy), c / e);
		if (isnan(rt))
			fprintf(f, "%12s\n", "-");
		else
			fprintf(f, "%12.1f\n", rt);
	}
	fprintf(f, "\nTotal exits: %" PRIu64 " (totals leaf: %" PRIu64
		"), total cycles: %" PRIu64 ", reasons seen: %zu of %zu\n",
		ex, a->total_exits, cy, a->nseen, a->nr);
	return done(f);
}

static void md_method(const struct epa_analysis *a, FILE *f)
{
	if (a->axis.host) {
		fputs("## Method\n\n"
		      "- The figures are the host series' (`host-samples.csv`, the VM's `exit_stats`):\n"
		      "  deltas between consecutive host rows, counts modulo 2^32, cycles 64-bit; the\n"
		      "  time axis is the host's CLOCK_MONOTONIC from the VM's creation (or the first\n"
		      "  row). With a guest series, the sampler's own CPUIDs are taken out of the CPUID\n"
		      "  reason of the host interval in which each sweep began (cycles in proportion),\n"
		      "  and the milestones are placed on the axis through the alignment above.\n"
		      "- Phases are cut from the host intervals at the milestone times; a milestone\n"
		      "  between two rows splits that interval's exits in proportion to time.\n"
		      "- Rates are exits per second of the time a row covers.\n\n", f);
		return;
	}
	fputs("## Method\n\n"
	      "- Deltas between consecutive samples: counts modulo 2^32 (the leaves give the\n"
	      "  low 32 bits), cycles 64-bit.\n"
	      "- The sampler's own CPUID exits (`self_cpuid`) are taken out of the CPUID reason\n"
	      "  and of the total in every interval. The leaves give no per-exit cycles, so the\n"
	      "  CPUID reason's cycles are reduced in the same proportion.\n"
	      "- **before-sampler** is the counters' value at the first sample: every exit from the\n"
	      "  VM's start (firmware and boot loader included) until the sampler started; its\n"
	      "  rate is over kernel start..first sample. It counts toward the totals unless the\n"
	      "  scope is host.\n"
	      "- The other phases are cut from the sampled intervals at the milestone times. A\n"
	      "  milestone that falls between two samples splits that interval's exits and cycles\n"
	      "  in proportion to time on either side (exits assumed evenly spread within one\n"
	      "  interval), which is why phase figures can be fractional. A phase that began\n"
	      "  before the first sample is covered only from the first sample on (the part before\n"
	      "  is in before-sampler). Sampled time in no formed phase is shown as *unattributed*,\n"
	      "  so the phases add up to the totals.\n"
	      "- Rates are exits per second of the time a row covers.\n\n", f);
}

/* The phase a time on the axis falls in, for "where". */
static const char *phase_at(const struct epa_analysis *a, uint64_t t)
{
	int p;

	for (p = EPA_PH_FIRMWARE; p <= EPA_PH_AFTER; p++)
		if (a->ph[p].formed && a->ph[p].start_ns <= t &&
		    t < a->ph[p].end_ns)
			return a->ph[p].id;
	return "no phase";
}

static void md_disagree(const struct epa_analysis *a, FILE *f,
			const struct epa_disagree *d)
{
	fprintf(f, "  - %.3f..%.3f s (%s): `%s`: host %" PRIu64 ", guest %" PRIu64
		", bound %" PRIu64 "\n", epa_s(d->t0), epa_s(d->t1),
		phase_at(a, d->t0 / 2 + d->t1 / 2),
		d->reason < 0 ? "total" : epa_name(a, (size_t)d->reason),
		d->dh, d->dg, d->bound);
}

static void md_merge(const struct epa_analysis *a, FILE *f)
{
	const struct epa_merge *m = a->merge;
	unsigned long i;

	fputs("## Host and guest series\n\n", f);
	fprintf(f, "- Host series `%s`%s%s%s: %zu rows; the time axis %s.\n",
		strrchr(m->host_path, '/') ? strrchr(m->host_path, '/') + 1 : m->host_path,
		m->hmeta.vm[0] ? " (VM " : "", m->hmeta.vm,
		m->hmeta.vm[0] ? ")" : "", m->h.n,
		m->created ? "starts at the VM's creation (created_ns)" :
			     "starts at its first row (the VM's creation time is not recorded)");
	if (!m->guest) {
		fputs("- No guest series (`samples.csv`): the milestones cannot be placed; the figures are the host's alone.\n\n", f);
		return;
	}
	fprintf(f, "- Guest series `samples.csv`: %zu rows, %.3f..%.3f s on the host axis.\n",
		m->g.n, epa_s(m->gspan0), epa_s(m->gspan1));
	fprintf(f, "- **Alignment**: guest CLOCK_MONOTONIC + %.6f s = host CLOCK_MONOTONIC: the median, over %zu host rows in the guest series' span, of the host row's time minus the guest time at which the guest's count curve (linear between rows, each sweep's own CPUIDs a step at its start) reaches the host row's total. Alignment error (each row's offset against the median): median %.3f ms, 95th percentile %.3f ms, max %.3f ms. The kernel started at %.3f s on the host axis.\n",
		(double)m->offset_ns / 1e9, m->align_rows, m->res_med_ms,
		m->res_p95_ms, m->res_max_ms, epa_s(a->ms_at[EPA_MS_KERNEL]));
	fprintf(f, "- Counts come from the host series (it causes the guest no exits); the guest sampler's own CPUIDs (%" PRIu64 ", its rows' `self_cpuid`) are taken out of the host's CPUID counts in the host intervals where its sweeps began.\n",
		m->g.self_sum);
	if (m->nck < 2) {
		fputs("- **Agreement**: not checked: the series have no common span long enough.\n\n", f);
		return;
	}
	if (!m->ndis) {
		fprintf(f, "- **Agreement**: over %.3f..%.3f s (%zu checkpoints about a second apart, %lu comparisons of every reason and the total) host and guest counts agree within the bound of sampler/FORMAT.md.\n\n",
			epa_s(m->checked0), epa_s(m->checked1), m->nck, m->checks);
		return;
	}
	fprintf(f, "- **Agreement: host and guest series DISAGREE** beyond the bound of sampler/FORMAT.md in %lu of %lu comparisons over %.3f..%.3f s (host delta, guest delta, bound):\n",
		m->ndis, m->checks, epa_s(m->checked0), epa_s(m->checked1));
	for (i = 0; i < m->ndis && i < EPA_DISAGREE_SHOWN; i++)
		md_disagree(a, f, &m->dis[i]);
	if (m->ndis > EPA_DISAGREE_SHOWN) {
		fprintf(f, "  - ... %lu more; the largest excess:\n",
			m->ndis - EPA_DISAGREE_SHOWN);
		md_disagree(a, f, &m->worst);
	}
	fputc('\n', f);
}

static void md_matrix(const struct epa_analysis *a, FILE *f, const char *what,
		      int kind)
{
	size_t i;
	int p;

	fprintf(f, "### %s\n\n| reason |", what);
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fprintf(f, " %s |", a->ph[p].id);
	fputs("\n|---|", f);
	for (p = 0; p < EPA_NPH; p++)
		if (has_data(&a->ph[p]))
			fputs("---:|", f);
	fputc('\n', f);
	for (i = 0; i < a->nseen; i++) {
		size_t r = a->rank[i];

		fprintf(f, "| `%s` |", epa_name(a, r));
		for (p = 0; p < EPA_NPH; p++) {
			const struct epa_phase *ph = &a->ph[p];

			if (!has_data(ph))
				continue;
			fputc(' ', f);
			if (kind == 0)
				put_exits(f, ph->exits[r]);
			else if (kind == 1)
				put_rate(f, rate(ph->exits[r], ph->cov_ns));
			else
				fprintf(f, "%.0f", ph->cycles[r]);
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* The reasons of the boot alone: the whole profile's less after-boot. */
static void md_boot_reasons(const struct epa_analysis *a, FILE *f, size_t *idx)
{
	double *v = malloc((a->nr + 1) * sizeof(*v)), be = 0, bc = 0;
	const uint64_t ns = boot_ns(a);
	size_t i, seen = 0;

	if (!v)
		return;
	for (i = 0; i < a->nr; i++) {
		v[i] = boot_exits(a, i);
		be += v[i];
		bc += boot_cycles(a, i);
	}
	rank_by(v, a->nr, idx);
	fprintf(f, "## Exit reasons, the boot (%s to boot finished, %.3f s)\n\n"
		"| reason | code | exits | exits %% | exits/s | cycles | time %% (cycles) | avg cycles/exit |\n"
		"|---|---:|---:|---:|---:|---:|---:|---:|\n",
		from_words(a), epa_s(ns));
	for (i = 0; i < a->nr && v[idx[i]] > 0; i++) {
		size_t r = idx[i];
		double c = boot_cycles(a, r);

		fprintf(f, "| `%s` | %" PRIu32 " | ", epa_name(a, r), a->s->codes[r]);
		put_exits(f, v[r]);
		fprintf(f, " | %.2f | ", pct(v[r], be));
		put_rate(f, rate(v[r], ns));
		fprintf(f, " | %.0f | %.2f | %.1f |\n", c, pct(c, bc), c / v[r]);
		seen++;
	}
	fprintf(f, "\nDuring the boot: %zu reasons seen. Most frequent: ", seen);
	md_top(a, f, v, idx, false, 5, true);
	fputs(".  \nLeast frequent (of those seen): ", f);
	md_top(a, f, v, idx, true, 5, true);
	fputs(".\n\n", f);
	free(v);
}

int epa_write_summary(const struct epa_analysis *a, FILE *f,
		      const char *label)
{
	const uint64_t ex = sum_u64(a->exits, a->nr);
	const uint64_t cy = sum_u64(a->cycles, a->nr);
	const uint64_t win = a->t_last - a->t_start;
	size_t *idx = malloc((a->nr + 1) * sizeof(*idx));
	size_t i, never = 0;
	unsigned int n;
	int p;

	if (!idx)
		return -1;
	fprintf(f, "# exitprof analysis: %s\n\n", label);
	fprintf(f, "- Taxonomy %" PRIu32 " (%s), scope %s",
		a->taxonomy, ep_taxonomy_name(a->taxonomy),
		a->s->meta.host_scope ? "host" : "vm");
	if (a->s->meta.interval_ms)
		fprintf(f, ", sampling interval %" PRIu32 " ms",
			a->s->meta.interval_ms);
	fprintf(f, ".\n- %lu %ssamples from %.3f s to %.3f s (%s), %lu intervals.\n",
		a->s->rows, a->axis.host ? "host " : "", epa_s(a->t_first),
		epa_s(a->t_last), a->axis.host ? "on the host axis" :
		"CLOCK_MONOTONIC", a->intervals);
	fprintf(f, "- From %s to the last sample, %.3f..%.3f s: **%" PRIu64 " exits** (%.1f/s), %" PRIu64
		" cycles handling them.\n"
		"- The totals leaf counts %" PRIu64 " exits (it also counts exits outside the defined\n"
		"  reasons, and a sweep reads it before the reasons).\n",
		from_words(a), epa_s(a->t_start), epa_s(a->t_last), ex,
		win ? (double)ex / epa_s(win) : 0.0, cy, a->total_exits);
	fprintf(f, "- The sampler's own CPUID exits taken out: %" PRIu64 ".\n",
		a->self_subtracted);
	if (boot_known(a)) {
		double be = 0, bc = 0;

		for (i = 0; i < a->nr; i++) {
			be += boot_exits(a, i);
			bc += boot_cycles(a, i);
		}
		fprintf(f, "- **The boot**, from %s to boot finished, %.3f..%.3f s (%.3f s): **%.0f exits** (%.1f/s), %.0f cycles handling them.\n\n",
			from_words(a), epa_s(a->t_start),
			epa_s(a->ms_at[EPA_MS_FINISHED]), epa_s(boot_ns(a)), be,
			rate(be, boot_ns(a)), bc);
	} else {
		fprintf(f, "- The boot: no total: %s.\n\n", boot_unknown_why(a));
	}

	if (a->merge)
		md_merge(a, f);
	if (a->nnotes) {
		fputs("## Notes\n\n", f);
		for (n = 0; n < a->nnotes; n++)
			fprintf(f, "- %s\n", a->notes[n]);
		fputc('\n', f);
	}

	fputs("## Boot phases\n\n"
	      "| phase | span (s) | sampled (s) | exits | exits/s | cycles | most frequent | note |\n"
	      "|---|---|---:|---:|---:|---:|---|---|\n", f);
	for (p = 0; p < EPA_NPH; p++) {
		const struct epa_phase *ph = &a->ph[p];
		double e = phase_exits(a, ph);

		if ((p == EPA_PH_UNATTRIBUTED && !ph->formed) || ph->hidden)
			continue;
		fprintf(f, "| %s | ", ph->title);
		if (!has_data(ph)) {
			fprintf(f, "– | – | – | – | – | – | %s: %s |\n",
				ph->formed ? "no samples" : "not formed",
				ph->why[0] ? ph->why : "no data");
			continue;
		}
		rank_by(ph->exits, a->nr, idx);
		fprintf(f, "%.3f..%.3f | %.3f | %.0f | ", epa_s(ph->start_ns),
			epa_s(ph->end_ns), epa_s(ph->cov_ns), e);
		put_rate(f, rate(e, ph->cov_ns));
		fprintf(f, " | %.0f | ", sum_d(ph->cycles, a->nr));
		md_top(a, f, ph->exits, idx, false, 3, true);
		fprintf(f, " | %s |\n", ph->why);
	}
	fputc('\n', f);

	if (boot_known(a))
		md_boot_reasons(a, f, idx);
	fputs("## Exit reasons, whole profile\n\n"
	      "| reason | code | exits | exits % | exits/s | cycles | time % (cycles) | avg cycles/exit |\n"
	      "|---|---:|---:|---:|---:|---:|---:|---:|\n", f);
	for (i = 0; i < a->nseen; i++) {
		size_t r = a->rank[i];
		double e = (double)a->exits[r], c = (double)a->cycles[r];

		fprintf(f, "| `%s` | %" PRIu32 " | %" PRIu64 " | %.2f | ",
			epa_name(a, r), a->s->codes[r], a->exits[r],
			pct(e, (double)ex));
		put_rate(f, rate(e, win));
		fprintf(f, " | %" PRIu64 " | %.2f | %.1f |\n", a->cycles[r],
			pct(c, (double)cy), c / e);
	}
	if (!a->nseen)
		fputs("| (no exits) | | | | | | | |\n", f);
	{
		double *v = malloc((a->nr + 1) * sizeof(*v));

		if (!v) {
			free(idx);
			return -1;
		}
		for (i = 0; i < a->nr; i++)
			v[i] = (double)a->exits[i];
		fputs("\nMost frequent: ", f);
		md_top(a, f, v, a->rank, false, 5, true);
		fputs(".  \nLeast frequent (of those seen): ", f);
		md_top(a, f, v, a->rank, true, 5, true);
		fputs(".\n\n", f);
		free(v);
	}
	for (i = 0; i < a->nr; i++)
		never += !a->exits[i];
	fprintf(f, "Defined but never seen (%zu): ", never);
	for (i = 0, n = 0; i < a->nr; i++)
		if (!a->exits[i])
			fprintf(f, "%s`%" PRIu32 "` %s", n++ ? ", " : "",
				a->s->codes[i], epa_name(a, i));
	fputs(never ? ".\n\n" : "none.\n\n", f);

	fputs("## Per phase and reason\n\n", f);
	fputs("Most and least frequent reasons per phase:\n\n", f);
	for (p = 0; p < EPA_NPH; p++) {
		const struct epa_phase *ph = &a->ph[p];

		if (!has_data(ph))
			continue;
		rank_by(ph->exits, a->nr, idx);
		fprintf(f, "- **%s**: most ", ph->id);
		md_top(a, f, ph->exits, idx, false, 3, true);
		fputs("; least ", f);
		md_top(a, f, ph->exits, idx, true, 3, true);
		fputs("\n", f);
	}
	fputc('\n', f);
	md_matrix(a, f, "Exits", 0);
	md_matrix(a, f, "Exits per second", 1);
	md_matrix(a, f, "Cycles", 2);

	md_method(a, f);
	fputs("## Files\n\n"
	      "- `intervals.dat` — per sample interval: start, end, length (s), total exits/s,\n"
	      "  cycles/s, then exits/s of every reason column in code order.\n"
	      "- `timeline.dat` — the same in at most 1024 equal time bins, top reasons + other.\n"
	      "- `heatmap.dat` — bins × reasons seen, exits/s, for `with image`.\n"
	      "- `timeline_boot.dat`, `heatmap_boot.dat` — the same for the boot alone (up to\n"
	      "  twice the time to `finished`, at least 10 s past it) when the profile goes on\n"
	      "  longer; otherwise only a comment.\n"
	      "- `phases.dat`, `phase_reasons.dat` — per phase, and per phase and reason.\n"
	      "- `reasons.dat` — per reason over the whole profile; `cycles.dat` — cycles share.\n"
	      "- `plotvars.gp` — names and phase spans for the chart scripts (`exitprof plot DIR`).\n",
	      f);
	free(idx);
	return done(f);
}

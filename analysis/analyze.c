// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof analyze [-n] [-o OUTDIR] [-t] PROFILE_DIR
 *
 * Reads PROFILE_DIR/samples.csv, host-samples.csv and milestones.csv (any
 * of the first two may be missing, not both), writes the data files,
 * plotvars.gp and summary.md into OUTDIR (not with -n) and prints the
 * boot's total, the phases and a perf-kvm-stat-like table.  Every output goes to a hidden temporary name first and is
 * renamed only when all of them are complete, so bad input or a full disk
 * leaves no partial results behind.
 */
#define _GNU_SOURCE	/* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "engine.h"
#include "leaves.h"
#include "merge.h"
#include "profile.h"
#include "report.h"

static const char usage[] =
	"usage: exitprof analyze [-n] [-o OUTDIR] [-t] PROFILE_DIR\n"
	"\n"
	"Analyse a boot profile (sampler/FORMAT.md): PROFILE_DIR/samples.csv (the guest,\n"
	"`exitprof sample`), PROFILE_DIR/host-samples.csv (the host, `exitprof record`),\n"
	"either or both, and PROFILE_DIR/milestones.csv if there. With both series the\n"
	"figures are the host's on its clock from the VM's creation; the guest's clock\n"
	"is aligned to it through the counters (the alignment error is printed), the\n"
	"milestones placed on it, and the two series' counts are checked against\n"
	"FORMAT.md's bound.\n"
	"Per-interval exit rates per reason (counts modulo 2^32, cycles 64-bit), the\n"
	"sampler's own CPUID exits taken out, figures per boot phase, most and least\n"
	"frequent reasons, cycles share and average cycles per exit.\n"
	"\n"
	"Prints to stdout the boot's total (exits from VM creation, or the kernel's\n"
	"start in a guest-only profile, to boot finished), a table of the boot\n"
	"phases and one of the reasons seen over the whole profile; notes to stderr.\n"
	"Writes to OUTDIR (default PROFILE_DIR): summary.md, intervals.dat,\n"
	"timeline.dat, heatmap.dat, timeline_boot.dat, heatmap_boot.dat, phases.dat,\n"
	"phase_reasons.dat, reasons.dat, cycles.dat and plotvars.gp, for\n"
	"`exitprof plot OUTDIR`, which draws the charts.\n"
	"\n"
	"Phases: before-sampler (kernel..first sample; guest-only), firmware (VM\n"
	"created..kernel; with a host series), kernel (..initrd), initrd, early-userspace\n"
	"(userspace..sysinit.target), sysinit-basic, basic-multi-user,\n"
	"multi-user-finished, after-boot (finished..last sample). A milestone between\n"
	"two samples splits that interval's exits in proportion to time.\n"
	"\n"
	"  -n, --no-files          print the tables only; write no file\n"
	"  -o, --output OUTDIR     where the results go (created if missing)\n"
	"  -t, --accept-truncated  a truncated last line (the guest lost power) ends\n"
	"                          the data with a note instead of being an error\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 ok, 1 bad input (the message names file:line: column),\n"
	"2 usage error, 3 the results could not be written, 4 the results are written\n"
	"but the host and guest series disagree beyond FORMAT.md's bound (warnings\n"
	"name where).\n";

enum { OUT_SUMMARY, OUT_INTERVALS, OUT_TIMELINE, OUT_HEATMAP,
       OUT_TIMELINE_BOOT, OUT_HEATMAP_BOOT, OUT_PHASES, OUT_PHASE_REASONS,
       OUT_REASONS, OUT_CYCLES, OUT_PLOTVARS, NOUT };

static const char *const out_names[NOUT] = {
	[OUT_SUMMARY] = "summary.md",
	[OUT_INTERVALS] = "intervals.dat",
	[OUT_TIMELINE] = "timeline.dat",
	[OUT_HEATMAP] = "heatmap.dat",
	[OUT_TIMELINE_BOOT] = "timeline_boot.dat",
	[OUT_HEATMAP_BOOT] = "heatmap_boot.dat",
	[OUT_PHASES] = "phases.dat",
	[OUT_PHASE_REASONS] = "phase_reasons.dat",
	[OUT_REASONS] = "reasons.dat",
	[OUT_CYCLES] = "cycles.dat",
	[OUT_PLOTVARS] = "plotvars.gp",
};

struct outputs {
	const char *dir;
	char tmp[NOUT][PATH_MAX];
	FILE *f[NOUT];
};

static int out_open(struct outputs *o, int i)
{
	if (snprintf(o->tmp[i], PATH_MAX, "%s/.%s.%ld.tmp", o->dir,
		     out_names[i], (long)getpid()) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	o->f[i] = fopen(o->tmp[i], "w");
	if (!o->f[i]) {
		o->tmp[i][0] = '\0';
		return -1;
	}
	return 0;
}

/* On failure: nothing of this run may remain. */
static void out_discard(struct outputs *o)
{
	int i;

	for (i = 0; i < NOUT; i++) {
		if (o->f[i])
			fclose(o->f[i]);
		o->f[i] = NULL;
		if (o->tmp[i][0])
			unlink(o->tmp[i]);
		o->tmp[i][0] = '\0';
	}
}

static int out_fail(struct outputs *o, const char *what)
{
	fprintf(stderr, "exitprof analyze: %s/%s: cannot write: %s\n", o->dir,
		what, strerror(errno ? errno : EIO));
	out_discard(o);
	return EPA_EXIT_OUTPUT;
}

/* Close everything, then rename: all files complete before any appears. */
static int out_commit(struct outputs *o)
{
	char final[PATH_MAX];
	int i;

	for (i = 0; i < NOUT; i++) {
		FILE *f = o->f[i];

		o->f[i] = NULL;
		errno = 0;
		if (ferror(f) | fclose(f)) {
			out_fail(o, out_names[i]);
			return -1;
		}
	}
	for (i = 0; i < NOUT; i++) {
		errno = ENAMETOOLONG;
		if (snprintf(final, sizeof(final), "%s/%s", o->dir,
			     out_names[i]) >= (int)sizeof(final) ||
		    rename(o->tmp[i], final)) {
			out_fail(o, out_names[i]);
			return -1;
		}
		o->tmp[i][0] = '\0';
	}
	return 0;
}

struct args {
	const char *profile, *outdir;
	bool accept_truncated;
	bool no_files;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "no-files", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "accept-truncated", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(a, 0, sizeof(*a));
	argv[0] = (char *)"exitprof analyze";	/* getopt's messages */
	optind = 1;
	while ((c = getopt_long(argc, argv, "no:th", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->no_files = true;
			break;
		case 'o':
			if (!*optarg)
				return ep_usage_error("analyze", "--output '': empty");
			a->outdir = optarg;
			break;
		case 't':
			a->accept_truncated = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:	/* getopt_long said what */
			return ep_usage_hint("analyze");
		}
	}
	if (optind == argc)
		return ep_usage_error("analyze", "no PROFILE_DIR");
	if (argc - optind > 1)
		return ep_usage_error("analyze", "one PROFILE_DIR only ('%s' and '%s')",
				      argv[optind], argv[optind + 1]);
	if (a->no_files && a->outdir)
		return ep_usage_error("analyze", "--no-files writes nothing: no --output with it");
	a->profile = argv[optind];
	if (!a->outdir)
		a->outdir = a->profile;
	return -1;	/* go on */
}

/* Write everything but the streamed series; the table into a memory buffer. */
static int write_results(struct epa_analysis *an, struct outputs *o,
			 const char *label)
{
	static int (*const writers[NOUT])(const struct epa_analysis *, FILE *) = {
		[OUT_TIMELINE] = epa_write_timeline,
		[OUT_HEATMAP] = epa_write_heatmap,
		[OUT_TIMELINE_BOOT] = epa_write_timeline_boot,
		[OUT_HEATMAP_BOOT] = epa_write_heatmap_boot,
		[OUT_PHASES] = epa_write_phases,
		[OUT_PHASE_REASONS] = epa_write_phase_reasons,
		[OUT_REASONS] = epa_write_reasons,
		[OUT_CYCLES] = epa_write_cycles,
	};
	int i;

	for (i = 0; i < NOUT; i++) {
		int r;

		if (i == OUT_INTERVALS)
			continue;
		errno = 0;
		if (out_open(o, i))
			return out_fail(o, out_names[i]);
		if (i == OUT_SUMMARY)
			r = epa_write_summary(an, o->f[i], label);
		else if (i == OUT_PLOTVARS)
			r = epa_write_plotvars(an, o->f[i], label);
		else
			r = writers[i](an, o->f[i]);
		if (r)
			return out_fail(o, out_names[i]);
	}
	return 0;
}

static FILE *open_input(const char *path, bool optional, int *status)
{
	FILE *f = fopen(path, "r");

	if (!f && !(optional && errno == ENOENT)) {
		fprintf(stderr, "exitprof analyze: %s: cannot open: %s\n", path,
			strerror(errno));
		*status = EPA_EXIT_BAD_INPUT;
	}
	return f;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* A readable samples file with source=host (bad ones: the usual errors). */
static bool is_host_series(const char *path)
{
	struct epa_samples t = { 0 };
	char err[EPA_ERR_LEN];
	FILE *f = fopen(path, "r");
	bool host = false;

	if (!f)
		return false;
	if (!epa_samples_open(&t, f, path, err))
		host = t.meta.source_host;
	epa_samples_close(&t);
	fclose(f);
	return host;
}

/*
 * The host series (and the guest's, if there is one), the first pass:
 * times and totals of both, the checks between them, the alignment and
 * the checkpoints.  0 ok, else the exit status (message printed).
 */
static int merge_prepare(struct epa_merge *m, const struct args *args,
			 char *err)
{
	int r = epa_track_read(m->host_path, args->accept_truncated,
			       &m->hmeta, &m->h, err);

	if (!r && !m->hmeta.source_host) {
		epa_errf(err, "%s:2: not a host series (no source=host): host-samples.csv is the file of exitprof record",
			 m->host_path);
		r = -1;
	}
	if (!r && m->guest) {
		r = epa_track_read(m->guest_path, args->accept_truncated,
				   &m->gmeta, &m->g, err);
		if (!r && m->gmeta.source_host) {
			epa_errf(err, "%s:2: source=host: samples.csv is the guest's series when %s is there",
				 m->guest_path, m->host_path);
			r = -1;
		} else if (!r && m->gmeta.taxonomy != m->hmeta.taxonomy) {
			epa_errf(err, "%s:2: taxonomy=%" PRIu32 ", but %s has taxonomy=%" PRIu32 ": not the same VM",
				 m->guest_path, m->gmeta.taxonomy, m->host_path,
				 m->hmeta.taxonomy);
			r = -1;
		} else if (!r && m->gmeta.host_scope) {
			epa_errf(err, "%s:2: scope=host sums every VM: it cannot be merged with the host's per-VM series",
				 m->guest_path);
			r = -1;
		}
	}
	if (!r) {
		m->created = m->hmeta.have_created && m->hmeta.created_ns <= m->h.t[0];
		m->origin = m->created ? m->hmeta.created_ns : m->h.t[0];
		m->hspan1 = m->h.t[m->h.n - 1] - m->origin;
	}
	if (!r && m->guest)
		r = epa_merge_align(m, err);
	if (!r)
		return 0;
	if (r == -2)
		fprintf(stderr, "exitprof analyze: out of memory\n");
	else
		fprintf(stderr, "%s\n", err);
	return r == -2 ? EPA_EXIT_OUTPUT : EPA_EXIT_BAD_INPUT;
}

/* Pass B: the guest's rows for the checkpoints' snapshots. */
static int merge_guest_pass(struct epa_merge *m, const struct args *args,
			    const struct epa_samples *host, char *err)
{
	struct epa_samples g = { .accept_truncated = args->accept_truncated };
	FILE *f = fopen(m->guest_path, "r");
	size_t idx = 0;
	int r;

	if (!f) {
		epa_errf(err, "exitprof analyze: %s: cannot open: %s",
			 m->guest_path, strerror(errno));
		return -1;
	}
	r = epa_samples_open(&g, f, m->guest_path, err);
	if (!r)
		r = epa_merge_columns(m, host, &g);
	while (!r && (r = epa_samples_next(&g, err)) > 0) {
		epa_merge_guest_row(m, idx++, g.cur);
		r = 0;
	}
	epa_samples_close(&g);
	fclose(f);
	return r;
}

/*
 * Where the host series stops before the guest's (the recorder ended
 * first), the guest's rows go on, as rows on the host's columns from the
 * host's last row: the guest interval the host's end falls in counts the
 * part after that end, in proportion to time and without its sweep's
 * CPUIDs (they came before the end: the host counted them), the later
 * intervals whole.  Returns the rows added, or -1 bad input (err), -2
 * memory, -3 a write error.
 */
static long guest_tail(struct epa_merge *m, const struct args *args,
		       struct epa_samples *s, struct epa_analysis *an,
		       char *err)
{
	struct epa_samples g = { .accept_truncated = args->accept_truncated };
	const int64_t hend = (int64_t)m->hspan1;
	uint32_t *pn = calloc(m->nr + 1, sizeof(*pn)), ptot = 0;
	uint64_t *pc = calloc(m->nr + 1, sizeof(*pc)), pcyc = 0;
	int64_t pt = 0;
	bool have_prev = false;
	long added = 0;
	FILE *f = NULL;
	int r = -2;

	if (!pn || !pc)
		goto out;
	f = fopen(m->guest_path, "r");
	if (!f) {
		epa_errf(err, "exitprof analyze: %s: cannot open: %s",
			 m->guest_path, strerror(errno));
		r = -1;
		goto out;
	}
	r = epa_samples_open(&g, f, m->guest_path, err);
	while (!r && (r = epa_samples_next(&g, err)) > 0) {
		const struct epa_row *c = g.cur;
		const int64_t at = (int64_t)c->time_ns + m->offset_ns -
				   (int64_t)m->origin;
		struct epa_row *prev = s->cur;
		struct epa_row *row = s->cur == &s->row[0] ? &s->row[1] : &s->row[0];
		const double frac = added ? 1 : (double)(at - hend) / (double)(at - pt);
		uint64_t self = added ? 0 : c->self_cpuid, dtot, dcyc, selfcyc = 0;
		size_t k;

		r = 0;
		if (at > hend && have_prev) {
			for (k = 0; k < m->nr; k++) {
				uint64_t dn = 0, dc = 0;

				if (m->gcol[k] >= 0) {
					dn = (uint32_t)(c->n[m->gcol[k]] - pn[k]);
					dc = c->cyc[m->gcol[k]] - pc[k];
				}
				if ((int)k == s->cpuid && self) {
					uint64_t take = self < dn ? self : dn;

					selfcyc = dn ? (uint64_t)((double)dc * (double)take / (double)dn) : 0;
					dn -= take;
					dc -= selfcyc;
				}
				row->n[k] = prev->n[k] + (uint32_t)((double)dn * frac + 0.5);
				row->cyc[k] = prev->cyc[k] + (uint64_t)((double)dc * frac + 0.5);
			}
			dtot = (uint32_t)(c->total - ptot);
			dtot -= self < dtot ? self : dtot;
			dcyc = c->cycles - pcyc;
			dcyc -= selfcyc < dcyc ? selfcyc : dcyc;
			row->total = prev->total + (uint32_t)((double)dtot * frac + 0.5);
			row->cycles = prev->cycles + (uint64_t)((double)dcyc * frac + 0.5);
			row->time_ns = (uint64_t)at;
			row->line = c->line;
			row->self_cpuid = epa_merge_self(m, (uint64_t)at + m->origin);
			s->prev = prev;
			s->cur = row;
			added++;
			if (epa_analysis_row(an)) {
				r = -3;
				break;
			}
		}
		for (k = 0; k < m->nr; k++) {
			pn[k] = m->gcol[k] >= 0 ? c->n[m->gcol[k]] : 0;
			pc[k] = m->gcol[k] >= 0 ? c->cyc[m->gcol[k]] : 0;
		}
		ptot = c->total;
		pcyc = c->cycles;
		pt = at;
		have_prev = true;
	}
	epa_samples_close(&g);
out:
	if (f)
		fclose(f);
	free(pn);
	free(pc);
	return r < 0 ? r : added;
}

static void print_merge(const struct epa_merge *m)
{
	size_t i;

	if (!m->guest)
		return;
	fprintf(stderr, "exitprof analyze: alignment: guest time + %.6f s = host time, from %zu host rows: median |residual| %.3f ms, 95th percentile %.3f ms, max %.3f ms\n",
		(double)m->offset_ns / 1e9, m->align_rows, m->res_med_ms,
		m->res_p95_ms, m->res_max_ms);
	if (m->nck < 2) {
		fprintf(stderr, "exitprof analyze: warning: host and guest series have no common span to compare\n");
		return;
	}
	if (!m->ndis)
		return;
	fprintf(stderr, "exitprof analyze: warning: host and guest series disagree beyond FORMAT.md's bound in %lu of %lu comparisons (%zu checkpoints, %.3f..%.3f s on the host axis):\n",
		m->ndis, m->checks, m->nck, (double)m->checked0 / 1e9,
		(double)m->checked1 / 1e9);
	for (i = 0; i < m->ndis && i < EPA_DISAGREE_SHOWN; i++) {
		const struct epa_disagree *d = &m->dis[i];
		char what[64];

		if (d->reason < 0)
			snprintf(what, sizeof(what), "total");
		else
			snprintf(what, sizeof(what), "%s (%" PRIu32 ")",
				 ep_reason_name(m->hmeta.taxonomy, d->code) ?
				 ep_reason_name(m->hmeta.taxonomy, d->code) : "?",
				 d->code);
		fprintf(stderr, "exitprof analyze: warning:   %.3f..%.3f s: %s: host %" PRIu64 ", guest %" PRIu64 ", bound %" PRIu64 "\n",
			(double)d->t0 / 1e9, (double)d->t1 / 1e9, what, d->dh,
			d->dg, d->bound);
	}
	if (m->ndis > EPA_DISAGREE_SHOWN)
		fprintf(stderr, "exitprof analyze: warning:   ... and %lu more (summary.md)\n",
			m->ndis - EPA_DISAGREE_SHOWN);
}

/* The output directory and the streamed series, before the rows. */
static int open_outputs(struct outputs *o, struct epa_analysis *an,
			const struct epa_samples *s, bool *created_dir)
{
	size_t k;

	if (!mkdir(o->dir, 0777)) {
		*created_dir = true;
	} else if (errno != EEXIST) {
		fprintf(stderr, "exitprof analyze: %s: cannot create: %s\n",
			o->dir, strerror(errno));
		return EPA_EXIT_OUTPUT;
	}
	errno = 0;
	if (out_open(o, OUT_INTERVALS))
		return out_fail(o, out_names[OUT_INTERVALS]);
	an->intervals_out = o->f[OUT_INTERVALS];
	fputs("# t_start_s t_end_s dt_s total_per_s cycles_per_s, then exits/s of:",
	      an->intervals_out);
	for (k = 0; k < s->nreasons; k++)
		fprintf(an->intervals_out, " %s", epa_name(an, k));
	fputc('\n', an->intervals_out);
	return 0;
}

static int analyze(const struct args *args)
{
	char spath[PATH_MAX], mpath[PATH_MAX], hpath[PATH_MAX], err[EPA_ERR_LEN];
	struct epa_samples s = { .accept_truncated = args->accept_truncated };
	struct epa_milestones ms;
	struct epa_analysis an;
	struct epa_merge mg;
	struct epa_axis axis;
	struct outputs o;
	FILE *sf = NULL, *mf, *table = NULL;
	char *table_buf = NULL;
	size_t table_len = 0, hidx = 0;
	bool created_dir = false, host;
	int status = 0, r;
	unsigned int n;

	memset(&o, 0, sizeof(o));
	memset(&an, 0, sizeof(an));
	memset(&mg, 0, sizeof(mg));
	memset(&axis, 0, sizeof(axis));
	o.dir = args->outdir;
	if (snprintf(spath, sizeof(spath), "%s/samples.csv", args->profile) >=
	    (int)sizeof(spath) ||
	    snprintf(mpath, sizeof(mpath), "%s/milestones.csv", args->profile) >=
	    (int)sizeof(mpath) ||
	    snprintf(hpath, sizeof(hpath), "%s/host-samples.csv", args->profile) >=
	    (int)sizeof(hpath)) {
		fprintf(stderr, "exitprof analyze: path too long\n");
		return EPA_EXIT_USAGE;
	}
	host = file_exists(hpath);
	if (host) {
		mg.host = true;
		mg.host_path = hpath;
		mg.guest = file_exists(spath);
		mg.guest_path = spath;
	} else if (is_host_series(spath)) {
		/* exitprof record -o DIR/samples.csv: a host-only profile */
		host = mg.host = true;
		mg.host_path = spath;
		memcpy(hpath, spath, sizeof(hpath));
	}
	mf = open_input(mpath, true, &status);
	if (status)
		return status;
	/* the small file first: its errors should not wait for the big ones */
	r = mf ? epa_milestones_read(mf, mpath, &ms, err) : 0;
	if (mf)
		fclose(mf);
	if (r) {
		fprintf(stderr, "%s\n", r == -2 ? "exitprof analyze: out of memory" : err);
		return r == -2 ? EPA_EXIT_OUTPUT : EPA_EXIT_BAD_INPUT;
	}
	if (host) {
		status = merge_prepare(&mg, args, err);
		if (status)
			goto out;
		s.time_base = mg.origin;
		axis.host = true;
		axis.created = mg.created;
		axis.guest = mg.guest;
		axis.shift_ns = mg.offset_ns - (int64_t)mg.origin;
		sf = open_input(hpath, false, &status);
	} else {
		sf = open_input(spath, false, &status);
	}
	if (!sf)
		goto out;
	r = epa_samples_open(&s, sf, host ? hpath : spath, err);
	if (!r && host && mg.guest)
		r = merge_guest_pass(&mg, args, &s, err);
	else if (!r && host)
		r = epa_merge_columns(&mg, &s, NULL);
	if (!r)
		r = epa_analysis_init_axis(&an, &s, mf ? &ms : NULL, NULL,
					   host ? &axis : NULL);
	if (r)
		goto input_error;
	if (host)
		an.merge = &mg;

	if (!args->no_files) {
		status = open_outputs(&o, &an, &s, &created_dir);
		if (status)
			goto out;
	}

	while ((r = epa_samples_next(&s, err)) > 0) {
		if (host) {
			epa_merge_host_row(&mg, hidx++, s.cur);
			s.cur->self_cpuid = epa_merge_self(&mg, s.cur->time_ns + mg.origin);
		}
		r = epa_analysis_row(&an);
		if (r) {
			errno = 0;
			status = out_fail(&o, out_names[OUT_INTERVALS]);
			goto out;
		}
	}
	if (r < 0)
		goto input_error;
	if (host && mg.guest && mg.gspan1 > mg.hspan1) {
		long tail = guest_tail(&mg, args, &s, &an, err);

		if (tail == -3) {
			errno = 0;
			status = out_fail(&o, out_names[OUT_INTERVALS]);
			goto out;
		}
		if (tail < 0) {
			r = (int)tail;
			goto input_error;
		}
		if (tail)
			epa_note(&an, "the host series ends %.3f s before the guest's: the last %ld intervals (%.3f..%.3f s) are counted from the guest's rows (the one the host's end falls in from that end on, in proportion to time)",
				 epa_s(mg.gspan1 - mg.hspan1), tail,
				 epa_s(mg.hspan1), epa_s(mg.gspan1));
	}
	if (host && mg.guest)
		epa_merge_check(&mg);
	epa_analysis_finish(&an);

	if (!args->no_files) {
		status = write_results(&an, &o, args->profile);
		if (status)
			goto out;
	}
	table = open_memstream(&table_buf, &table_len);
	if (!table || epa_write_table(&an, table, args->profile) ||
	    fclose(table)) {
		fprintf(stderr, "exitprof analyze: out of memory\n");
		status = EPA_EXIT_OUTPUT;
		out_discard(&o);
		goto out;
	}
	if (!args->no_files && out_commit(&o)) {
		status = EPA_EXIT_OUTPUT;
		goto out;
	}
	for (n = 0; n < an.nnotes; n++)
		fprintf(stderr, "exitprof analyze: note: %s\n", an.notes[n]);
	if (host)
		print_merge(&mg);
	fwrite(table_buf, 1, table_len, stdout);
	fflush(stdout);
	/* the results are written: disagreement is for the caller to judge */
	if (host && mg.ndis)
		status = EPA_EXIT_DISAGREE;
	goto out;

input_error:
	if (r == -2)
		fprintf(stderr, "exitprof analyze: out of memory\n");
	else
		fprintf(stderr, "%s\n", err);
	status = r == -2 ? EPA_EXIT_OUTPUT : EPA_EXIT_BAD_INPUT;
	out_discard(&o);
out:
	if (status && status != EPA_EXIT_DISAGREE && created_dir)
		rmdir(o.dir);	/* ours and empty: leave no trace */
	free(table_buf);
	epa_analysis_free(&an);
	epa_samples_close(&s);
	epa_merge_free(&mg);
	if (sf)
		fclose(sf);
	return status;
}

int exitprof_analyze(int argc, char **argv)
{
	struct args a;
	int r = parse_args(argc, argv, &a);

	return r >= 0 ? r : analyze(&a);
}

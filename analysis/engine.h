/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The analysis proper: per-interval deltas, the sampler's own CPUID exits
 * taken out, accumulators per reason overall and per boot phase, and the
 * time bins for the charts.  Streaming: memory depends on the number of
 * reasons, never on the number of rows.
 */
#ifndef EXITPROF_ANALYSIS_ENGINE_H
#define EXITPROF_ANALYSIS_ENGINE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"
#include "timeline.h"

/*
 * The charts name the EPA_TOP most frequent reasons and lump the rest as
 * "other"; the two most frequent of each phase are named too (HLT can rule
 * the idle phase without being in the top overall), up to EPA_TOP_MAX.
 */
#define EPA_TOP		6
#define EPA_TOP_PHASE	2
#define EPA_TOP_MAX	10
#define EPA_NOTES	24
#define EPA_NOTE_LEN	320

/*
 * The boot phases.  BEFORE is the time before the first sample, known only
 * as the counters' values at the first sample; the others are cut from the
 * sampled intervals by milestone times; UNATTRIBUTED is sampled time that
 * falls in no phase (a milestone missing), so that the phases add up.
 */
enum epa_phase_id { EPA_PH_BEFORE, EPA_PH_FIRMWARE, EPA_PH_KERNEL,
		    EPA_PH_INITRD, EPA_PH_EARLY,
		    EPA_PH_SYSINIT, EPA_PH_BASIC, EPA_PH_MULTIUSER,
		    EPA_PH_AFTER, EPA_PH_UNATTRIBUTED, EPA_NPH };

struct epa_phase {
	const char *id;		/* one word, for data files */
	const char *title;	/* for people */
	bool formed;		/* both ends are known */
	bool hidden;		/* does not apply to this kind of profile */
	char why[200];		/* why not formed, or how much was sampled */
	uint64_t start_ns, end_ns;	/* nominal; end UINT64_MAX: open */
	uint64_t cov_ns;	/* time the figures below cover */
	uint64_t cov_start, cov_end;
	double *exits, *cycles;	/* [nr]; fractional where split */
	double total_exits, total_cycles;	/* from the totals columns */
};

/*
 * The time axis.  A guest-only profile uses the guest's CLOCK_MONOTONIC as
 * it is (the kernel starts at 0).  With a host series the rows are the
 * host's, their time_ns already counted from the origin (the VM's creation,
 * or the first row), and the guest's milestones are placed on that axis by
 * the alignment: milestone ns + shift_ns.
 */
struct epa_axis {
	bool host;		/* the rows are a host series */
	bool created;		/* the origin is the VM's creation (created_ns) */
	bool guest;		/* a guest series was aligned: milestones placed */
	int64_t shift_ns;
};

struct epa_merge;

struct epa_analysis {
	struct epa_samples *s;
	size_t nr;
	uint32_t taxonomy;
	struct epa_milestones ms;
	bool have_ms;			/* milestones.csv was read (and placed) */
	bool ms_unplaced;		/* ... but no guest series places it */
	struct epa_axis axis;
	uint64_t ms_at[EPA_MS_COUNT];	/* milestones on the axis, ns */
	unsigned int ms_clamped;	/* placed before the origin: at 0 */
	const struct epa_merge *merge;	/* host + guest: alignment, check */
	struct epa_row zero;		/* all 0 at the VM's creation */
	uint64_t self_debt;		/* host axis: self CPUIDs still to take */
	bool include_before;		/* BEFORE counts toward the totals */
	/* over the whole profile */
	uint64_t *exits, *cycles;	/* [nr] */
	uint64_t total_exits, total_cycles;	/* totals columns */
	uint64_t self_subtracted;
	unsigned long clamped;		/* samples with self > CPUID exits */
	bool self_seen;			/* any self_cpuid > 0 */
	unsigned long intervals;
	uint64_t t_first, t_last, t_start;	/* t_start: where totals begin */
	struct epa_phase ph[EPA_NPH];
	struct epa_bins bins;		/* the whole profile */
	/*
	 * The boot closer: up to twice the time to "finished" (at least 10 s
	 * past it), when the profile goes on beyond that.
	 */
	struct epa_bins boot;
	uint64_t boot_end;
	bool boot_view;			/* after finish: boot is worth showing */
	/* per-row scratch */
	uint64_t *d, *dc;
	size_t *nz;
	/* the per-interval series, written as rows arrive (NULL: none) */
	FILE *intervals_out;
	char *line;
	/* after finish: reasons by exits, descending */
	size_t *rank;
	size_t nseen;			/* reasons with exits */
	size_t top[EPA_TOP_MAX];	/* reasons the charts name, by rank */
	size_t ntop;
	unsigned int nnotes;
	char notes[EPA_NOTES][EPA_NOTE_LEN];
};

/* ms NULL: no milestones.csv.  0 ok, -2 out of memory. */
int epa_analysis_init(struct epa_analysis *a, struct epa_samples *s,
		      const struct epa_milestones *ms, FILE *intervals_out);
/*
 * The same on another axis (NULL: the guest's).  With axis->host the
 * caller sets s->cur->self_cpuid of every host row to the guest sampler's
 * CPUIDs that fell in its interval; what an interval's CPUID count cannot
 * cover is carried to the next.
 */
int epa_analysis_init_axis(struct epa_analysis *a, struct epa_samples *s,
			   const struct epa_milestones *ms, FILE *intervals_out,
			   const struct epa_axis *axis);
/* Take s->cur (and s->prev).  0 ok, -3 write error on the series. */
int epa_analysis_row(struct epa_analysis *a);
/* After the last row: coverage notes and the ranking.  0 ok, -2 memory. */
int epa_analysis_finish(struct epa_analysis *a);
void epa_analysis_free(struct epa_analysis *a);

void epa_note(struct epa_analysis *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *epa_name(const struct epa_analysis *a, size_t r);

/* ns to seconds, for output */
static inline double epa_s(uint64_t ns)
{
	return (double)ns / 1e9;
}
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `exitprof analyze` writes once the samples are read: the gnuplot data
 * files, plotvars.gp (names and phase spans the plot scripts load),
 * summary.md and the perf-kvm-stat-like text table.  Formats in
 * analysis/README.md.
 */
#ifndef EXITPROF_ANALYSIS_REPORT_H
#define EXITPROF_ANALYSIS_REPORT_H
#include <stdio.h>

#include "engine.h"

#define EPA_CYCLES_TOP	10	/* cycles.dat: this many reasons, then other */

int epa_write_reasons(const struct epa_analysis *a, FILE *f);
int epa_write_phases(const struct epa_analysis *a, FILE *f);
int epa_write_phase_reasons(const struct epa_analysis *a, FILE *f);
int epa_write_timeline(const struct epa_analysis *a, FILE *f);
int epa_write_timeline_boot(const struct epa_analysis *a, FILE *f);
int epa_write_heatmap(const struct epa_analysis *a, FILE *f);
int epa_write_heatmap_boot(const struct epa_analysis *a, FILE *f);
int epa_write_cycles(const struct epa_analysis *a, FILE *f);
int epa_write_plotvars(const struct epa_analysis *a, FILE *f,
		       const char *label);
int epa_write_summary(const struct epa_analysis *a, FILE *f,
		      const char *label);
int epa_write_table(const struct epa_analysis *a, FILE *f, const char *label);
#endif

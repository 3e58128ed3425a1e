/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Number formatting for the per-interval series: one line per sample and
 * one number per reason makes printf the bottleneck, so these write digits
 * directly.  Each returns the end of what it wrote (no NUL).
 */
#ifndef EXITPROF_ANALYSIS_FMT_H
#define EXITPROF_ANALYSIS_FMT_H
#include <stdint.h>

#define EPA_FMT_NUM	32	/* room for any one number */

char *epa_put_u64(char *p, uint64_t v);
/* ns as seconds with 6 decimals: 1.500000 */
char *epa_put_time(char *p, uint64_t ns);
/* v >= 0 rounded to 3 decimals, trailing zeros dropped: 12.5, 100, 0.003 */
char *epa_put_fixed(char *p, double v);
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* exitprof analyze: turn a profile directory into rates, phases and charts. */
#ifndef EXITPROF_ANALYSIS_ANALYZE_H
#define EXITPROF_ANALYSIS_ANALYZE_H

#define EPA_EXIT_BAD_INPUT	1
#define EPA_EXIT_USAGE		2
#define EPA_EXIT_OUTPUT		3	/* cannot write the results */
#define EPA_EXIT_DISAGREE	4	/* results written; host and guest disagree */

/* argv[0] is "analyze".  Returns the exit status. */
int exitprof_analyze(int argc, char **argv);
#endif

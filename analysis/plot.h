/* SPDX-License-Identifier: GPL-2.0-only */
/* exitprof plot: draw an analysed profile's charts with the gnuplot scripts. */
#ifndef EXITPROF_ANALYSIS_PLOT_H
#define EXITPROF_ANALYSIS_PLOT_H

#define EPP_EXIT_FAILED		1	/* a chart failed, or not analysed */
#define EPP_EXIT_MISSING	3	/* no gnuplot, or no chart scripts */

/* Where `make install` puts the scripts (PREFIX/share/exitprof/plots). */
#ifndef EXITPROF_PLOTS_DIR
#define EXITPROF_PLOTS_DIR "/usr/share/exitprof/plots"
#endif

/* argv[0] is "plot".  Returns the exit status. */
int exitprof_plot(int argc, char **argv);
#endif

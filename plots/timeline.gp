# Chart 1: VM exits per second over boot time, stacked by the most frequent
# reasons (the rest as "other"), boot phases shaded and named.
load plots.'/common.gp'
f = ep_file('timeline.dat')
ymax = 1
if (ep_nbins > 0) {
	stats f using 3 nooutput
	ymax = STATS_max > 0 ? STATS_max : 1
}

do for [fmt in ep_formats] {
	eval ep_term(fmt, 1400, 720)
	set output results.'/timeline.'.fmt
	reset
	set title sprintf("VM exits per second during boot, by exit reason\n%s: %s, scope %s, %g s bins", \
		ep_title, ep_taxonomy, ep_scope, ep_bin_s)
	set xlabel "time since the kernel started (s, CLOCK_MONOTONIC)"
	set ylabel "VM exits per second"
	set xrange [0:ep_t_last]
	# headroom above the highest peak for the phase names
	set yrange [0:ymax * 1.3]
	set format y "%.0s%c"
	set grid ytics lc rgb '#dddddd'
	set key outside right top vertical Left reverse title "exit reason"
	set rmargin 30
	# the plot is about 1050 px wide, a 9 pt character about 6.5 px
	ov_char = ep_t_last * 6.5 / 1050
	ov_top = 0.965
	ov_step = -0.05
	ov_xmin = 0
	ov_shade = 1
	ov_colour = '#444444'
	load plots.'/phase_overlay.gp'
	if (ep_nbins == 0) {
		set label 1 "one sample only: no intervals to draw" at graph 0.5, 0.5 center
		set yrange [0:1]
		plot 2 notitle
	} else {
		# each layer is the sum of itself and the layers below it, drawn
		# from the top one down so that every band shows its own reason
		plot for [k=ep_ntop+1:1:-1] f using (($1+$2)/2):(sum [j=4:3+k] column(j)) \
			with filledcurves x1 lc rgb ep_reason_colour(k) \
			title (k <= ep_ntop ? ep_top[k] : 'other')
	}
	unset output
}

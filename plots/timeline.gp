# Chart 1: VM exits per second over boot time, stacked by the most frequent
# reasons (the rest as "other"), boot phases shaded and named above the
# plot, "finished" marked.  timeline.png shows the boot; when the profile
# goes on long after it, timeline_all.png shows the whole profile.
load plots.'/common.gp'

do for [view in (ep_boot_view ? "boot all" : "all")] {
boot = view eq "boot"
f = ep_file(boot ? 'timeline_boot.dat' : 'timeline.dat')
name = boot || !ep_boot_view ? 'timeline' : 'timeline_all'
nbins = boot ? ep_boot_nbins : ep_nbins
bin_s = boot ? ep_boot_bin_s : ep_bin_s
t_end = boot ? ep_boot_end : ep_t_last
ymax = 1
if (nbins > 0) {
	stats f using 3 nooutput
	ymax = STATS_max > 0 ? STATS_max : 1
}
h = 620 + 17 * ep_nphases

do for [fmt in ep_formats] {
	eval ep_term(fmt, ep_time_w, h)
	set output results.'/'.name.'.'.fmt
	reset
	ov_title = sprintf("VM exits per second during boot, by exit reason%s\n%s: %s, scope %s, %s bins", \
		boot ? sprintf(" (the first %.1f of %.1f s)", t_end, ep_t_last) : ep_boot_view ? " (the whole profile)" : "", \
		ep_title, ep_taxonomy, ep_scope, bin_s < 1 ? sprintf('%.0f ms', bin_s * 1000) : sprintf('%g s', bin_s))
	set xlabel ep_xlabel
	set ylabel "VM exits per second"
	set xrange [0:t_end]
	set yrange [0:ymax * 1.05]
	# 12k, 150k: but below 10k the rounding of %.0s would lie (1.5k as 2k)
	set format y (ymax >= 1e4 ? "%.0s%c" : "%g")
	set grid ytics lc rgb '#dddddd'
	set key outside right top vertical Left reverse title "exit reason"
	set lmargin at screen ep_lmargin
	set rmargin at screen ep_rmargin
	ov_h = h
	ov_top_px = 52
	ov_char = ep_char(t_end)
	ov_xmax = t_end
	ov_shade = 1
	load plots.'/phase_overlay.gp'
	set tmargin at screen ov_plot_top
	if (nbins == 0) {
		set label 1 "one sample only: no intervals to draw" at graph 0.5, 0.5 center
		set yrange [0:1]
		plot 2 notitle
	} else {
		# each layer is the sum of itself and the layers below it, drawn
		# from the top one down so that every band shows its own reason
		# few bins: a bar each, as wide as the bin; many: a filled curve
		# through the bin centres (thin bars would blur at the seams)
		set style fill solid 1.0 noborder
		if (nbins <= 400) {
			plot for [k=ep_ntop+1:1:-1] f using (($1+$2)/2):(sum [j=4:3+k] column(j)):($2-$1) \
				with boxes lc rgb ep_reason_colour(k) \
				title (k <= ep_ntop ? ep_top[k] : 'other')
		} else {
			plot for [k=ep_ntop+1:1:-1] f using (($1+$2)/2):(sum [j=4:3+k] column(j)) \
				with filledcurves x1 lc rgb ep_reason_colour(k) \
				title (k <= ep_ntop ? ep_top[k] : 'other')
		}
	}
	unset output
}
}

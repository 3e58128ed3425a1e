# Chart 2: each reason's share of the exits in every time bin (stacked to
# 100 %), on the timeline's axis, so that the reasons the busy phases drown
# in the timeline can be read wherever they matter: the idle phases, the
# rare ones.  Bins without exits stay empty.  share.png shows the boot;
# when the profile goes on long after it, share_all.png the whole profile.
load plots.'/common.gp'

do for [view in (ep_boot_view ? "boot all" : "all")] {
boot = view eq "boot"
f = ep_file(boot ? 'timeline_boot.dat' : 'timeline.dat')
name = boot || !ep_boot_view ? 'share' : 'share_all'
nbins = boot ? ep_boot_nbins : ep_nbins
bin_s = boot ? ep_boot_bin_s : ep_bin_s
t_end = boot ? ep_boot_end : ep_t_last
h = 620 + 17 * ep_nphases

do for [fmt in ep_formats] {
	eval ep_term(fmt, ep_time_w, h)
	set output results.'/'.name.'.'.fmt
	reset
	ov_title = sprintf("Share of each bin's VM exits by exit reason%s\n%s: %s, scope %s, %s bins", \
		boot ? sprintf(" (the first %.1f of %.1f s)", t_end, ep_t_last) : ep_boot_view ? " (the whole profile)" : "", \
		ep_title, ep_taxonomy, ep_scope, bin_s < 1 ? sprintf('%.0f ms', bin_s * 1000) : sprintf('%g s', bin_s))
	set xlabel ep_xlabel
	set ylabel "share of the bin's VM exits (%)"
	set xrange [0:t_end]
	set yrange [0:100]
	set ytics 0, 20, 100
	set grid ytics lc rgb '#dddddd' front
	set key outside right top vertical Left reverse title "exit reason"
	set lmargin at screen ep_lmargin
	set rmargin at screen ep_rmargin
	ov_h = h
	ov_top_px = 52
	ov_char = ep_char(t_end)
	ov_xmax = t_end
	ov_shade = 0
	load plots.'/phase_overlay.gp'
	set tmargin at screen ov_plot_top
	if (nbins == 0) {
		set label 1 "one sample only: no intervals to draw" at graph 0.5, 0.5 center
		plot 2 notitle
	} else {
		# as in the timeline: each layer the sum of itself and those below
		set style fill solid 1.0 noborder
		plot for [k=ep_ntop+1:1:-1] f using (($1+$2)/2): \
			($3 > 0 ? 100 * (sum [j=4:3+k] column(j)) / $3 : NaN):($2-$1) \
			with boxes lc rgb ep_reason_colour(k) \
			title (k <= ep_ntop ? ep_top[k] : 'other')
	}
	unset output
}
}

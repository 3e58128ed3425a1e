# Chart 3: exit rate per reason over time as a heat map, colour on a log
# scale so that idle-time reasons show next to boot-time bursts.  White:
# no exits.  Rows: the reasons seen, most frequent on top.  The timeline's
# x axis and plot area, so the two line up.  heatmap.png shows the boot;
# when the profile goes on long after it, heatmap_all.png the whole profile.
load plots.'/common.gp'

do for [view in (ep_boot_view ? "boot all" : "all")] {
boot = view eq "boot"
f = ep_file(boot ? 'heatmap_boot.dat' : 'heatmap.dat')
name = boot || !ep_boot_view ? 'heatmap' : 'heatmap_all'
nbins = boot ? ep_boot_nbins : ep_nbins
bin_s = boot ? ep_boot_bin_s : ep_bin_s
t_end = boot ? ep_boot_end : ep_t_last
# a row per reason: the chart grows with the number of reasons seen
rows = ep_nseen > 4 ? ep_nseen : 4
h = 150 + 22 * rows + 17 * ep_nphases

do for [fmt in ep_formats] {
	eval ep_term(fmt, ep_time_w, h)
	set output results.'/'.name.'.'.fmt
	reset
	ov_title = sprintf("VM exit rate per reason over boot time%s (exits/s, log colour scale; white: none)\n%s: %s, scope %s, %s bins", \
		boot ? sprintf(", the first %.1f of %.1f s", t_end, ep_t_last) : ep_boot_view ? ", the whole profile" : "", \
		ep_title, ep_taxonomy, ep_scope, bin_s < 1 ? sprintf('%.0f ms', bin_s * 1000) : sprintf('%g s', bin_s))
	set xlabel ep_xlabel
	set lmargin at screen ep_lmargin
	set rmargin at screen ep_rmargin
	if (nbins == 0 || ep_nseen == 0) {
		set title ov_title
		set label 1 "no intervals with exits to draw" at graph 0.5, 0.5 center
		set xrange [0:1]
		set yrange [0:1]
		plot 2 notitle
		unset output
		continue
	}
	set xrange [0:t_end]
	set yrange [-0.5:ep_nseen - 0.5]
	eval 'set ytics ' . ep_heat_ytics
	set ytics font ',9' nomirror
	set tics out
	set xtics nomirror
	unset ylabel
	set logscale cb
	set cblabel "VM exits per second" offset 1.5,0
	set format cb "%.0s%c"
	# viridis-like: dark for rare, bright for frequent; reads in greyscale too
	set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
	# below one exit per bin is the bottom colour
	set cbrange [1.0 / bin_s:*]
	set colorbox user origin screen ep_rmargin + 0.02, screen 0.15 size screen 0.015, screen 0.5
	ov_h = h
	ov_top_px = 52
	ov_char = ep_char(t_end)
	ov_xmax = t_end
	ov_shade = 0
	load plots.'/phase_overlay.gp'
	set tmargin at screen ov_plot_top
	plot f using 1:2:($3 > 0 ? $3 : NaN) with image pixels notitle
	unset output
}
}

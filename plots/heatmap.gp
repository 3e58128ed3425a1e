# Chart 3: exit rate per reason over time as a heat map, colour on a log
# scale so that idle-time reasons show next to boot-time bursts.  White:
# no exits.  Rows: the reasons seen, most frequent on top.  heatmap.png
# shows the boot; when the profile goes on long after it, heatmap_all.png
# shows the whole profile.
load plots.'/common.gp'

do for [view in (ep_boot_view ? "boot all" : "all")] {
boot = view eq "boot"
f = ep_file(boot ? 'heatmap_boot.dat' : 'heatmap.dat')
name = boot || !ep_boot_view ? 'heatmap' : 'heatmap_all'
nbins = boot ? ep_boot_nbins : ep_nbins
bin_s = boot ? ep_boot_bin_s : ep_bin_s
t_end = boot ? ep_boot_end : ep_t_last
# a row per reason: the chart grows with the number of reasons seen
h = 260 + 22 * (ep_nseen > 4 ? ep_nseen : 4)

do for [fmt in ep_formats] {
	eval ep_term(fmt, 1400, h)
	set output results.'/'.name.'.'.fmt
	reset
	set title sprintf("VM exit rate per reason over boot time%s (exits/s, log colour scale; white: none)\n%s: %s, scope %s, %g s bins", \
		boot ? sprintf(", the first %.1f of %.1f s", t_end, ep_t_last) : ep_boot_view ? ", the whole profile" : "", \
		ep_title, ep_taxonomy, ep_scope, bin_s) offset 0, 4
	set xlabel ep_xlabel
	if (nbins == 0 || ep_nseen == 0) {
		set label 1 "no intervals with exits to draw" at graph 0.5, 0.5 center
		set xrange [0:1]
		set yrange [0:1]
		plot 2 notitle
		unset output
		continue
	}
	set xrange [ep_t_first:t_end]
	set yrange [-0.5:ep_nseen - 0.5]
	eval 'set ytics ' . ep_heat_ytics
	set ytics font ',9' nomirror
	set tics out
	set xtics nomirror
	set ylabel "exit reason"
	set logscale cb
	set cblabel "VM exits per second"
	set format cb "%.0s%c"
	# viridis-like: dark for rare, bright for frequent; reads in greyscale too
	set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
	# below one exit per bin is the bottom colour
	set cbrange [1.0 / bin_s:*]
	set lmargin 24
	set rmargin 14
	# phase names on rows above the plot (about 15 px each), title above them
	plot_px = 22 * (ep_nseen > 4 ? ep_nseen : 4)
	ov_char = (t_end - ep_t_first) * 6.5 / 1000
	ov_step = 15.0 / plot_px
	ov_top = 1.0 + 0.6 * ov_step
	ov_xmin = ep_t_first
	ov_shade = 0
	ov_colour = '#444444'
	set tmargin 9
	load plots.'/phase_overlay.gp'
	plot f using 1:2:($3 > 0 ? $3 : NaN) with image pixels notitle
	unset output
}
}

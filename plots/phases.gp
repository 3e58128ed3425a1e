# Chart 2: VM exits per boot phase by exit reason.  Top: exits, stacked by
# the most frequent reasons (the rest as "other"); bottom: the same as the
# share of each phase's exits, so that short phases can be read too.
load plots.'/common.gp'
f = ep_file('phases.dat')
col(k) = 7 + k		# exits of reason k (ep_ntop + 1: other) in phases.dat
ymax = 0
if (ep_nphases > 0) {
	stats f using 5 nooutput
	ymax = STATS_max
}

do for [fmt in ep_formats] {
	eval ep_term(fmt, 1200, 900)
	set output results.'/phases.'.fmt
	reset
	if (ep_nphases == 0) {
		set title "VM exits per boot phase: no phase has data"
		set yrange [0:1]
		plot 2 notitle
		unset output
		continue
	}
	set multiplot title sprintf("VM exits per boot phase, by exit reason\n%s: %s, scope %s", \
		ep_title, ep_taxonomy, ep_scope)
	set style data histograms
	set style histogram rowstacked
	set style fill solid 0.9 border lc rgb '#ffffff'
	set boxwidth 0.7
	set grid ytics lc rgb '#dddddd'
	set xtics nomirror font ',10'
	set lmargin 12
	set rmargin 30

	# top: exits (before-sampler is every exit from the VM's start)
	set origin 0, 0.47
	set size 1, 0.46
	set ylabel "VM exits in the phase"
	set format y (ymax >= 1e4 ? "%.0s%c" : "%g")
	set yrange [0:*]
	set offsets 0, 0, graph 0.1, 0
	set key outside right top vertical Left reverse title "exit reason"
	set xtics format ""
	plot for [k=1:ep_ntop+1] f using (column(col(k))):xtic('') \
		lc rgb ep_reason_colour(k) title (k <= ep_ntop ? ep_top[k] : 'other'), \
		'' using 0:5:(ep_count($5)) with labels offset 0,0.8 font ',9' notitle

	# bottom: share of the phase's exits
	set origin 0, 0
	set size 1, 0.5
	set ylabel "share of the phase's exits (%)"
	set format y "%g"
	set yrange [0:100]
	set offsets 0, 0, 0, 0
	unset key
	set xtics format "%g" rotate by -20 left
	set xlabel "boot phase and its length (where the samples cover less of it: the part they cover)" offset 0,1
	# the phase's length, and the sampled part where that is less
	# (a guest-only profile's first sample comes late)
	len(a, b, c) = ep_len(b - a) . (c < (b - a) * 0.999 ? ', sampled ' . ep_len(c) : '')
	plot for [k=1:ep_ntop+1] f using ($5 > 0 ? 100 * column(col(k)) / $5 : 0): \
		xtic(sprintf("%s (%s)", strcol(1), len($2, $3, $4))) lc rgb ep_reason_colour(k) notitle
	unset multiplot
	unset output
}

# Chart 4: share of the exit-handling cycles by exit reason (the ten
# costliest, then the rest as "other"), with the average cycles per exit.
load plots.'/common.gp'
f = ep_file('cycles.dat')
n = 0
stats f using 1 nooutput
n = STATS_records

do for [fmt in ep_formats] {
	eval ep_term(fmt, 1100, 200 + 38 * (n > 3 ? n : 3))
	set output results.'/cycles.'.fmt
	reset
	set title sprintf("Share of exit-handling cycles by exit reason, the whole profile (%.1f s)\n%s: %s, scope %s", \
		ep_t_last, ep_title, ep_taxonomy, ep_scope)
	if (n == 0) {
		set label 1 "no cycles recorded" at graph 0.5, 0.5 center
		set yrange [0:1]
		plot 2 notitle
		unset output
		continue
	}
	set xlabel "share of all exit-handling cycles (%): TSC cycles from the VM exit to the end of KVM's in-kernel handling"
	# a share: the axis ends at 100 %; a label that would not fit after
	# its bar goes inside it
	set xrange [0:100]
	set xtics 0, 10, 100
	set yrange [-n + 0.4:0.6]
	set ytics nomirror font ',10'
	set xtics nomirror
	set grid xtics lc rgb '#dddddd'
	set style fill solid 0.85 noborder
	set lmargin 24
	# row 0 at the top; the label after each bar: share, cycles per exit
	plot f using ($4/2):(-$1):($4/2):(0.35):(strcol(2) eq 'other' ? 0xb0b0b0 : 0x1f77b4):ytic(2) \
		with boxxyerror lc rgb variable notitle, \
		'' using ($4 <= 65 ? $4 : NaN):(-$1):(sprintf(' %.1f%%  (%.0f cycles/exit, %s exits)', $4, \
			$5, ep_count($6))) with labels left font ',9' notitle, \
		'' using ($4 > 65 ? $4 : NaN):(-$1):(sprintf('%.1f%%  (%.0f cycles/exit, %s exits) ', $4, \
			$5, ep_count($6))) with labels right font ',9' tc rgb 'white' notitle
	unset output
}

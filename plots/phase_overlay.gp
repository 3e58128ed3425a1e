# Boot phases over a time axis, as a staircase above the plot: one row of
# text per phase, the first phase on the top row, each name starting at its
# phase's start, where a dashed line runs from the bottom of the plot up to
# it.  A line only reaches its own row and the rows below it, which belong
# to later phases whose names start further right: no name ever overlaps
# another or is crossed by a line, however short the phase.  "finished"
# gets a solid line of its own colour.  Set before loading:
#   ov_h       terminal height (px)
#   ov_top_px  px from the top of the image to the first row
#   ov_char    x span of one label character (axis units)
#   ov_xmax    the x axis' end
#   ov_shade   1: pale alternating backgrounds over the phases' spans
#   ov_title   the chart's title (two lines), drawn above the rows
# Sets ov_plot_top, the screen y where the plot area must begin:
#   set tmargin at screen ov_plot_top
ov_row_px = 17.0
set label 98 ov_title at screen 0.5, screen 1.0 - 10.0 / ov_h center offset 0,-0.6 front
ov_plot_top = 1.0 - (ov_top_px + ep_nphases * ov_row_px + 10) / ov_h
ov_rate(r) = r >= 1000 ? gprintf('%.1s%c', r) : sprintf('%.0f', r)
ov_text(i) = (ep_phase_name[i] eq 'after-boot' && ep_finished >= 0 ? \
		sprintf('finished at %.3f s; ', ep_finished) : '') . \
	ep_phase_name[i] . ': ' . ep_len(ep_phase_len[i]) . \
	(ep_phase_end[i] - ep_phase_start[i] < ep_phase_len[i] * 0.999 ? \
		' (sampled ' . ep_len(ep_phase_end[i] - ep_phase_start[i]) . ')' : '') . \
	(ep_phase_name[i] eq 'before-sampler' ? ', no samples' : \
		', ' . ov_rate(ep_phase_rate[i]) . ' exits/s')
do for [i=1:ep_nphases] {
	x0 = ep_phase_start[i]
	y = 1.0 - (ov_top_px + (i - 0.5) * ov_row_px) / ov_h
	fin = ep_phase_name[i] eq 'after-boot' && ep_finished >= 0
	col = fin ? '#b2182b' : '#333333'
	lab = ov_text(i)
	# characters from the line to the image's right edge (the rows stand
	# above the key): a name that does not fit is shortened to the phase's
	# name; only if that does not fit either it ends at its line, where an
	# earlier phase's line may cross it
	room = (ov_xmax - x0) / ov_char + (0.995 - ep_rmargin) * ep_time_w / 6.0 - 1
	if (strlen(lab) > room) {
		lab = (fin ? sprintf('finished at %.3f s; ', ep_finished) : '') . ep_phase_name[i]
	}
	if (strlen(lab) <= room) {
		set label 100+i lab at x0, screen y left offset 0.5,0 font ',9' tc rgb col front
	} else {
		set label 100+i lab at x0, screen y right offset -0.5,0 font ',9' tc rgb col front
	}
	lwv = fin ? 1.5 : 1
	dtv = fin ? 1 : 2	# "dt (...)" would be a dash pattern
	set arrow 100+i from x0, graph 0 to x0, screen y nohead lw lwv dt dtv lc rgb col front
	if (ov_shade) {
		set object 100+i rect from x0, graph 0 to ep_phase_end[i], graph 1 \
			behind fc rgb ep_shade[(i-1)%3+1] fs solid 1.0 noborder
	}
}
# a finished that opens no phase (the profile ends there): its line alone
if (ep_finished >= 0 && ep_phase_name[ep_nphases] ne 'after-boot') {
	set arrow 99 from ep_finished, graph 0 to ep_finished, graph 1 nohead \
		lw 1.5 lc rgb '#b2182b' front
	set label 99 sprintf('finished at %.3f s', ep_finished) at ep_finished, graph 1 \
		right offset -0.5,-0.8 font ',9' tc rgb '#b2182b' front
}

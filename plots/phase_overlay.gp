# Boot phases over a time axis: a dashed line at each phase's start and its
# name, on up to four rows so that short phases do not overwrite each
# other (no room: no name); with ov_shade, pale alternating backgrounds.  Set before loading:
#   ov_char   x span of one label character (axis units)
#   ov_top    graph y of the first row of names
#   ov_step   graph y from one row to the next (negative: downwards)
#   ov_xmin   phases before this x are left out, later ones cut here
#   ov_shade  1: shade the spans, 0: lines and names only
#   ov_colour colour of lines and names
array ov_row_end[4] = [-1e300, -1e300, -1e300, -1e300]
do for [i=1:ep_nphases] {
	x0 = ep_phase_start[i] > ov_xmin ? ep_phase_start[i] : ov_xmin
	if (ep_phase_end[i] > ov_xmin) {
		lab = ep_phase_label(i)
		row = 0
		do for [r=4:1:-1] {
			if (ov_row_end[r] <= x0) { row = r }
		}
		# every row taken (phases too short for this time scale): the
		# dashed line only, the name would cover another
		if (row > 0) {
			ov_row_end[row] = x0 + (strlen(lab) + 2) * ov_char
			set label 100+i lab at x0, graph ov_top + (row-1)*ov_step \
				left offset 0.4,0 font ',9' tc rgb ov_colour front
		}
		if (ov_shade) {
			set object 100+i rect from x0, graph 0 to ep_phase_end[i], graph 1 \
				behind fc rgb ep_shade[(i-1)%2+1] fs solid 1.0 noborder
		}
		set arrow 100+i from x0, graph 0 to x0, graph ov_top + ((row > 0 ? row : 1)-1)*ov_step + 0.3*abs(ov_step) \
			nohead dt 2 lc rgb ov_colour front
	}
}

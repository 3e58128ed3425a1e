# Shared by the exitprof chart scripts: terminals, colours, the profile's
# variables.  The caller sets `results` (the analysed profile directory)
# and `plots` (this directory).
if (!exists("results")) { print "set results='DIR' (gnuplot -e) to an analysed profile"; exit status 2 }
load results.'/plotvars.gp'
# the time axis: the guest's clock, or with a host series the host's from
# the VM's creation (older plotvars.gp have no ep_xlabel)
if (!exists("ep_xlabel")) { ep_xlabel = "time since the kernel started (s, CLOCK_MONOTONIC)" }

# pngcairo/svg when this gnuplot has them (Debian's gnuplot-nox does), else png
ep_png = strstrt(GPVAL_TERMINALS, " pngcairo ") > 0 ? "pngcairo" : "png"
ep_have_svg = strstrt(GPVAL_TERMINALS, " svg ") > 0
ep_formats = ep_have_svg ? "png svg" : "png"

# The terminal command for one format.  Reason names have '_': no
# enhanced text anywhere.
ep_term(fmt, w, h) = fmt eq "svg" ? \
	sprintf("set terminal svg size %d,%d dynamic noenhanced font 'Sans,11' background rgb 'white'", w, h) : \
	ep_png eq "pngcairo" ? \
	sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,11' background rgb 'white'", w, h) : \
	sprintf("set terminal png size %d,%d noenhanced", w, h)

# one colour per named reason (up to 10), grey for the rest; the same in
# every chart
array ep_colour[10] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', \
	'#8c564b', '#e377c2', '#17becf', '#bcbd22', '#393b79']
ep_reason_colour(k) = k <= ep_ntop && k <= 10 ? ep_colour[k] : '#b0b0b0'
# pale backgrounds for the boot phases, three in turn: two phases with a
# very short one between them still differ
array ep_shade[3] = ['#e8eef8', '#fbf3e4', '#eaf5ea']

# The charts over time (timeline, share, heatmap) share one x axis from 0
# (the VM's creation, or the kernel's start in a guest-only profile) and
# the same plot area left and right, so that they line up one above the
# other: same width, same margins.
ep_time_w = 1400
ep_lmargin = 0.115
ep_rmargin = 0.80
# a count for people: 2.9, 236, 10.2k (fractional where split by time)
ep_count(x) = x >= 1000 ? gprintf('%.1s%c', x) : x >= 10 ? sprintf('%.0f', x) : sprintf('%.1f', x)
# a length for people: 1.1 ms, 239 ms, 2.36 s
ep_len(s) = s < 0.01 ? sprintf('%.1f ms', s * 1000) : \
	s < 1 ? sprintf('%.0f ms', s * 1000) : sprintf('%.2f s', s)
# x span of one 9 pt character on a time axis from 0 to t_end
ep_char(t_end) = t_end * 6.0 / (ep_time_w * (ep_rmargin - ep_lmargin))

ep_file(name) = results.'/'.name

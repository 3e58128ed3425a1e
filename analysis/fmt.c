// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "fmt.h"

char *epa_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* frac < 10^digits, written with leading zeros */
static char *put_frac(char *p, uint64_t frac, int digits)
{
	int i;

	for (i = digits - 1; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return p + digits;
}

char *epa_put_time(char *p, uint64_t ns)
{
	uint64_t us = ns / 1000 + (ns % 1000 >= 500);

	p = epa_put_u64(p, us / 1000000);
	*p++ = '.';
	return put_frac(p, us % 1000000, 6);
}

char *epa_put_fixed(char *p, double v)
{
	uint64_t m, frac;
	int digits = 3;

	if (!(v >= 0))		/* NaN cannot happen; keep the output numeric */
		v = 0;
	if (v >= 1e15)		/* beyond exact fixed point: rare, take printf */
		return p + snprintf(p, EPA_FMT_NUM, "%.6e", v);
	m = (uint64_t)(v * 1000 + 0.5);
	p = epa_put_u64(p, m / 1000);
	frac = m % 1000;
	if (!frac)
		return p;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	*p++ = '.';
	return put_frac(p, frac, digits);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known exit workloads for the lab tests, run inside the guest:
 *   workload cpuid N [LEAF]   N CPUID instructions (default leaf 0)
 *   workload outb N [PORT]    N writes to an I/O port (default 0x80)
 * Prints nothing; exit status 0 on success.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>

static unsigned long arg(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "workload: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long n, i, x;
	uint32_t a, b, c, d;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: workload cpuid N [LEAF] | outb N [PORT]\n");
		return 2;
	}
	n = arg(argv[2], "count");
	if (!strcmp(argv[1], "cpuid")) {
		x = argc > 3 ? arg(argv[3], "leaf") : 0;
		for (i = 0; i < n; i++)
			__asm__ volatile("cpuid"
					 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
					 : "a"((uint32_t)x), "c"(0));
		return 0;
	}
	if (!strcmp(argv[1], "outb")) {
		x = argc > 3 ? arg(argv[3], "port") : 0x80;
		if (x > 0xffff || ioperm(x, 1, 1)) {
			fprintf(stderr, "workload: ioperm(0x%lx): %s\n", x,
				strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++)
			outb(0, x);
		return 0;
	}
	fprintf(stderr, "workload: unknown workload '%s'\n", argv[1]);
	return 2;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * leafcheck: SPEC §1-3 checked from inside a guest of the patched KVM, with
 * raw CPUID (not exitprof's own reader).  Everything runs in one process so
 * that no exec (glibc start-up runs CPUID) falls between two readings.
 *
 *   leafcheck [N_CPUID [N_OUTB]]   default 100000 and 10000
 *
 * Prints one line per check and "N passed, M failed"; exit status 1 if any
 * check failed.  Needs root for the port writes (ioperm).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>

#define LEAF_INFO	0x4ffffffbu
#define LEAF_TOTAL	0x4ffffffcu
#define LEAF_CYCLES	0x4ffffffdu
#define LEAF_COUNT	0x4ffffffeu
#define LEAF_RCYCLES	0x4fffffffu
#define CPUID_EXIT	10
#define IO_EXIT		30

struct regs {
	uint32_t a, b, c, d;
};

static unsigned int passed, failed;

static struct regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct regs r;

	__asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(sub));
	return r;
}

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("leafcheck: %s ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passed++;
	else
		failed++;
}

/* SPEC §2, the oracle: not the code's table. */
static bool spec_defined(uint32_t n)
{
	return n <= 34 || n == 36 || n == 37 || (n >= 39 && n <= 41) ||
	       (n >= 43 && n <= 70) || (n >= 72 && n <= 81) || n == 84 ||
	       n == 85;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void show(const char *what, uint32_t code, struct regs c, struct regs t)
{
	printf("leafcheck: %s %" PRIu32 " answered %08x %08x %08x %08x / %08x %08x %08x %08x\n",
	       what, code, c.a, c.b, c.c, c.d, t.a, t.b, t.c, t.d);
}

static void check_register_classes(void)
{
	static const uint32_t edges[] = { 86, 87, 0xff, 0x100, 0x404,
		0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
	/* defined by the SDM, but KVM 6.12 has no handler for them */
	static const uint32_t not_enabled[] = { 11, 63, 64, 66, 76 };
	const uint32_t nedges = sizeof(edges) / sizeof(edges[0]);
	unsigned int bad_undef = 0, bad_def = 0, i;
	struct regs c, t;
	uint32_t n, code;

	for (n = 0; n < 0x200 + nedges; n++) {
		code = n < 0x200 ? n : edges[n - 0x200];
		c = cpuid(LEAF_COUNT, code);
		t = cpuid(LEAF_RCYCLES, code);
		if (!spec_defined(code)) {
			if ((c.a || c.b || c.c || c.d != 0xffffffff ||
			     t.a || t.b || t.c || t.d != 0xffffffff) &&
			    bad_undef++ < 5)
				show("undefined", code, c, t);
		} else if ((c.b || c.c || c.d || t.a || t.d) && bad_def++ < 5) {
			show("defined", code, c, t);
		}
	}
	check(!bad_undef, "undefined reasons (gaps, 86..0x1ff, edges up to 0xffffffff) answer 0,0,0,0xffffffff");
	check(!bad_def, "defined reasons answer only eax (count) and ebx:ecx (cycles)");
	for (i = 0; i < sizeof(not_enabled) / sizeof(not_enabled[0]); i++) {
		c = cpuid(LEAF_COUNT, not_enabled[i]);
		t = cpuid(LEAF_RCYCLES, not_enabled[i]);
		check(!c.a && !c.b && !c.c && !c.d && !t.a && !t.b && !t.c && !t.d,
		      "defined but not enabled reason %u answers all zeros",
		      not_enabled[i]);
	}
}

static void check_totals(void)
{
	struct regs a = cpuid(LEAF_TOTAL, 0), b = cpuid(LEAF_TOTAL, 0xdeadbeef);
	struct regs x = cpuid(LEAF_CYCLES, 0), y = cpuid(LEAF_CYCLES, 7);

	check(!a.b && !a.c && !a.d && !b.b && !b.c && !b.d,
	      "0x4ffffffc answers only eax (ecx ignored)");
	check(b.a - a.a >= 1, "total exits grow: %u -> %u", a.a, b.a);
	check(!x.a && !x.d && !y.a && !y.d,
	      "0x4ffffffd answers only ebx:ecx (ecx ignored)");
	check(((uint64_t)y.b << 32 | y.c) > ((uint64_t)x.b << 32 | x.c),
	      "total cycles grow");
}

static void check_back_to_back(void)
{
	unsigned int i, off = 0;
	uint32_t a, b;

	for (i = 0; i < 1000; i++) {
		a = cpuid(LEAF_COUNT, CPUID_EXIT).a;
		b = cpuid(LEAF_COUNT, CPUID_EXIT).a;
		if (b - a != 1 && off++ < 5)
			printf("leafcheck: back-to-back %u -> %u\n", a, b);
	}
	check(!off, "1000 pairs of back-to-back CPUID(0x4ffffffe, 10) differ by exactly 1");
}

static void check_cpuid_workload(unsigned long n)
{
	uint32_t a, b;
	double t0, t1;
	unsigned long i;

	a = cpuid(LEAF_COUNT, CPUID_EXIT).a;
	t0 = now();
	for (i = 0; i < n; i++)
		cpuid(0, 0);
	t1 = now();
	b = cpuid(LEAF_COUNT, CPUID_EXIT).a;
	check(b - a == n + 1, "%lu CPUID raise reason 10 by exactly %lu + 1 (the query): %u",
	      n, n, b - a);
	printf("leafcheck: info %lu CPUID exits in %.3f s of guest time: %.0f exits/s\n",
	       n, t1 - t0, n / (t1 - t0));
}

static void check_io_workload(unsigned long n)
{
	uint32_t a, b, ta, tb;
	unsigned long i;

	if (ioperm(0x80, 1, 1)) {
		check(false, "ioperm(0x80): %s", strerror(errno));
		return;
	}
	ta = cpuid(LEAF_TOTAL, 0).a;
	a = cpuid(LEAF_COUNT, IO_EXIT).a;
	for (i = 0; i < n; i++)
		outb(0, 0x80);
	b = cpuid(LEAF_COUNT, IO_EXIT).a;
	tb = cpuid(LEAF_TOTAL, 0).a;
	check(b - a >= n, "%lu port writes raise reason 30 by at least %lu: %u",
	      n, n, b - a);
	check(tb - ta >= n + 3, "and the total by at least that plus the queries: %u",
	      tb - ta);
}

int main(int argc, char **argv)
{
	unsigned long ncpuid = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long noutb = argc > 2 ? strtoul(argv[2], NULL, 0) : 10000;
	struct regs info = cpuid(LEAF_INFO, 0);

	check(info.a == 1 && info.b == 1 && info.c == 85 && !info.d,
	      "0x4ffffffb: version 1, taxonomy 1 (Intel), highest reason 85, vm scope: %u %u %u %u",
	      info.a, info.b, info.c, info.d);
	if (info.a != 1) {
		printf("%u passed, %u failed\n", passed, failed);
		return 1;
	}
	check_register_classes();
	check_totals();
	check_back_to_back();
	check_cpuid_workload(ncpuid);
	check_io_workload(noutb);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * leafcheck: SPEC §1-3 checked from inside a guest of the patched KVM, with
 * raw CPUID (not exitprof's own reader).  Everything runs in one process so
 * that no exec (glibc start-up runs CPUID) falls between two readings.
 *
 *   leafcheck [N_CPUID [N_OUTB]]   default 100000 and 10000
 *
 * The vendor's taxonomy (leaf 0x4FFFFFFB, ebx) picks the oracle: the Intel
 * SDM basic exit reasons or the AMD APM SVM exit codes, as SPEC §2 lists them.
 *
 * Prints one line per check and "N passed, M failed"; exit status 1 if any
 * check failed.  Needs root for the port writes (/dev/port).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LEAF_INFO	0x4ffffffbu
#define LEAF_TOTAL	0x4ffffffcu
#define LEAF_CYCLES	0x4ffffffdu
#define LEAF_COUNT	0x4ffffffeu
#define LEAF_RCYCLES	0x4fffffffu

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

/* SPEC §2, the oracles: not the code's tables. */
static bool intel_defined(uint32_t n)
{
	return n <= 34 || n == 36 || n == 37 || (n >= 39 && n <= 41) ||
	       (n >= 43 && n <= 70) || (n >= 72 && n <= 81) || n == 84 ||
	       n == 85;
}

static bool amd_defined(uint32_t n)
{
	return n <= 0xa6 || (n >= 0x400 && n <= 0x403);
}

static const struct taxonomy {
	uint32_t id;
	const char *name;
	bool (*defined)(uint32_t n);
	uint32_t max;		/* highest defined reason */
	uint32_t cpuid_exit, io_exit;
	/* defined by the manual, but KVM 6.12 has no handler for them */
	uint32_t not_enabled[5];
} taxonomies[] = {
	{ 1, "Intel", intel_defined, 85, 10, 30, { 11, 63, 64, 66, 76 } },
	/*
	 * READ_CR2, RDTSC, MWAIT_CONDITIONAL, INVLPGB, IDLE_HLT: no entry in
	 * svm_exit_handlers[]
	 */
	{ 2, "AMD", amd_defined, 0x403, 0x72, 0x7b,
	  { 0x2, 0x6e, 0x8c, 0xa0, 0xa6 } },
};

static const struct taxonomy *tax;

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
	/* every code up to SCAN covers both tables' ends and gaps */
	static const uint32_t edges[] = { 0xffff, 0x10000, 0x7fffffff,
		0x80000000, 0xfffffffe, 0xffffffff };
	const uint32_t nedges = sizeof(edges) / sizeof(edges[0]);
	const uint32_t scan = 0x500;
	unsigned int bad_undef = 0, bad_def = 0, i;
	struct regs c, t;
	uint32_t n, code;

	for (n = 0; n < scan + nedges; n++) {
		code = n < scan ? n : edges[n - scan];
		c = cpuid(LEAF_COUNT, code);
		t = cpuid(LEAF_RCYCLES, code);
		if (!tax->defined(code)) {
			if ((c.a || c.b || c.c || c.d != 0xffffffff ||
			     t.a || t.b || t.c || t.d != 0xffffffff) &&
			    bad_undef++ < 5)
				show("undefined", code, c, t);
		} else if ((c.b || c.c || c.d || t.a || t.d) && bad_def++ < 5) {
			show("defined", code, c, t);
		}
	}
	check(!bad_undef, "undefined %s reasons (gaps, up to 0x%x, edges up to 0xffffffff) answer 0,0,0,0xffffffff",
	      tax->name, scan - 1);
	check(!bad_def, "defined reasons answer only eax (count) and ebx:ecx (cycles)");
	for (i = 0; i < sizeof(tax->not_enabled) / sizeof(tax->not_enabled[0]); i++) {
		code = tax->not_enabled[i];
		c = cpuid(LEAF_COUNT, code);
		t = cpuid(LEAF_RCYCLES, code);
		check(!c.a && !c.b && !c.c && !c.d && !t.a && !t.b && !t.c && !t.d,
		      "defined but not enabled reason %u (0x%x) answers all zeros",
		      code, code);
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
		a = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
		b = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
		if (b - a != 1 && off++ < 5)
			printf("leafcheck: back-to-back %u -> %u\n", a, b);
	}
	check(!off, "1000 pairs of back-to-back CPUID(0x4ffffffe, %u) differ by exactly 1",
	      tax->cpuid_exit);
}

static void check_cpuid_workload(unsigned long n)
{
	uint32_t a, b;
	double t0, t1;
	unsigned long i;

	a = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
	t0 = now();
	for (i = 0; i < n; i++)
		cpuid(0, 0);
	t1 = now();
	b = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
	check(b - a == n + 1, "%lu CPUID raise reason %u (CPUID) by exactly %lu + 1 (the query): %u",
	      n, tax->cpuid_exit, n, b - a);
	printf("leafcheck: info %lu CPUID exits in %.3f s of guest time: %.0f exits/s\n",
	       n, t1 - t0, n / (t1 - t0));
}

/*
 * The port writes go through /dev/port, i.e. outb from the kernel, not from
 * user space after ioperm(): under QEMU TCG's nested SVM (the AMD lab) a
 * user-space outb in L2 takes a #GP despite ioperm(), while it works in L1.
 */
static void check_io_workload(unsigned long n)
{
	uint32_t a, b, ta, tb;
	unsigned long i, done = 0;
	const uint8_t zero = 0;
	int fd = open("/dev/port", O_WRONLY);

	if (fd < 0) {
		check(false, "open /dev/port: %s", strerror(errno));
		return;
	}
	ta = cpuid(LEAF_TOTAL, 0).a;
	a = cpuid(LEAF_COUNT, tax->io_exit).a;
	for (i = 0; i < n; i++)
		done += pwrite(fd, &zero, 1, 0x80) == 1;	/* POST port */
	b = cpuid(LEAF_COUNT, tax->io_exit).a;
	tb = cpuid(LEAF_TOTAL, 0).a;
	close(fd);
	check(done == n, "%lu writes to port 0x80 through /dev/port: %lu done", n, done);
	check(b - a >= n, "%lu port writes raise reason %u (I/O) by at least %lu: %u",
	      n, tax->io_exit, n, b - a);
	check(tb - ta >= n + 3, "and the total by at least that plus the queries: %u",
	      tb - ta);
}

int main(int argc, char **argv)
{
	unsigned long ncpuid = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	unsigned long noutb = argc > 2 ? strtoul(argv[2], NULL, 0) : 10000;
	struct regs info = cpuid(LEAF_INFO, 0);
	unsigned int i;

	/* line by line: what was checked survives a crash */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(taxonomies) / sizeof(taxonomies[0]); i++)
		if (info.b == taxonomies[i].id)
			tax = &taxonomies[i];
	check(info.a == 1 && tax && info.c == (tax ? tax->max : 0) && !info.d,
	      "0x4ffffffb: version 1, taxonomy 1 (Intel, highest reason 85) or 2 (AMD, 0x403), vm scope: %u %u 0x%x %u",
	      info.a, info.b, info.c, info.d);
	if (info.a != 1 || !tax) {
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

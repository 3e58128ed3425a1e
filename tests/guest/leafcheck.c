// SPDX-License-Identifier: GPL-2.0-only
/*
 * leafcheck: SPEC §1-3 checked from inside a guest of the patched KVM, with
 * raw CPUID (not exitprof's own reader).  Everything runs in one process so
 * that no exec (glibc start-up runs CPUID) falls between two readings.
 *
 *   leafcheck [N_CPUID [N_OUTB]]   default 100000 and 10000
 *   leafcheck smp N    one thread pinned to each online vCPU, all running N
 *                      CPUID at once: reason CPUID rises by exactly vCPUs * N
 *                      (+ the query)
 *   leafcheck view [--hold]  the asking VM's view, last CPUID of the process:
 *                      "leafcheck: view scope=vm|host cpuid=COUNT total=COUNT";
 *                      --hold: then wait forever instead of exiting
 *   leafcheck dump     the raw registers of the five leaves for a few ECX
 *                      values (to compare leaves switched off with stock KVM)
 *   leafcheck bench N R  cost of a CPUID exit with the statistics on and off
 *                      while L1 toggles kvm.exit_stats: on every vCPU, rounds
 *                      of N CPUID timed with RDTSC, each filed under the state
 *                      leaf 0x4FFFFFFB reports before and after it (rounds
 *                      that straddle a toggle are dropped), until every vCPU
 *                      has R rounds of each; prints the medians and the ratio
 *
 * The vendor's taxonomy (leaf 0x4FFFFFFB, ebx) picks the oracle: the Intel
 * SDM basic exit reasons or the AMD APM SVM exit codes, as SPEC §2 lists them.
 *
 * Prints one line per check and "N passed, M failed"; exit status 1 if any
 * check failed.  Needs root for the port writes (/dev/port).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
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

struct smp_worker {
	pthread_t thread;
	pthread_barrier_t *start;
	unsigned long n;
	int cpu, ran_on;
};

static void *smp_work(void *arg)
{
	struct smp_worker *w = arg;
	unsigned long i;

	w->ran_on = sched_getcpu();
	pthread_barrier_wait(w->start);
	for (i = 0; i < w->n; i++)
		cpuid(0, 0);
	return NULL;
}

/* The online CPUs (the VM's vCPUs), at most MAX, into CPUS; how many. */
static int online_cpus(int *cpus, int max)
{
	cpu_set_t online;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(online), &online))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &online))
			cpus[n++] = cpu;
	return n;
}

/* FN(ARG) in a new thread pinned to CPU; exits when it cannot start. */
static void start_pinned(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
	if (pthread_create(t, &attr, fn, arg)) {
		fprintf(stderr, "leafcheck: cannot start a thread on vCPU %d\n", cpu);
		exit(1);
	}
	pthread_attr_destroy(&attr);
}

/*
 * Every vCPU exits at the same time: the per-vCPU counters, summed on read,
 * must lose nothing.  The threads are created and pinned before the first
 * query; no CPUID runs between the two queries but the workload's.
 */
static void check_smp(unsigned long n)
{
	struct smp_worker w[256];
	pthread_barrier_t start;
	int cpus[256], nw, misplaced = 0, i;
	uint32_t a, b;

	nw = online_cpus(cpus, 256);
	if (!nw) {
		check(false, "sched_getaffinity: %s", strerror(errno));
		return;
	}
	pthread_barrier_init(&start, NULL, nw + 1);
	for (i = 0; i < nw; i++) {
		w[i].cpu = cpus[i];
		w[i].start = &start;
		w[i].n = n;
		start_pinned(&w[i].thread, w[i].cpu, smp_work, &w[i]);
	}
	a = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
	pthread_barrier_wait(&start);
	for (i = 0; i < nw; i++)
		pthread_join(w[i].thread, NULL);
	b = cpuid(LEAF_COUNT, tax->cpuid_exit).a;
	for (i = 0; i < nw; i++)
		misplaced += w[i].ran_on != w[i].cpu;
	check(!misplaced, "%d threads, one pinned to each online vCPU", nw);
	check(b - a == nw * n + 1,
	      "%d vCPUs x %lu CPUID at once raise reason %u by exactly %lu + 1 (the query): %u",
	      nw, n, tax->cpuid_exit, nw * n, b - a);
}



struct bench_worker {
	struct smp_worker w;
	unsigned int r, got[2];
	double *per_exit[2];	/* cycles per exit, [0] off, [1] on */
	unsigned long dropped;
};

static void *bench_work(void *arg)
{
	struct bench_worker *b = arg;
	unsigned int round, on;
	uint32_t lo, hi;
	uint64_t t0, t1;
	unsigned long i;

	b->w.ran_on = sched_getcpu();
	pthread_barrier_wait(b->w.start);
	for (round = 0; round < 50 * b->r &&
	     (b->got[0] < b->r || b->got[1] < b->r); round++) {
		on = cpuid(LEAF_INFO, 0).a == 1;
		__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
		t0 = (uint64_t)hi << 32 | lo;
		for (i = 0; i < b->w.n; i++)
			cpuid(0, 0);
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi) : : "ecx");
		t1 = (uint64_t)hi << 32 | lo;
		if ((cpuid(LEAF_INFO, 0).a == 1) != on) {
			b->dropped++;
			continue;
		}
		if (b->got[on] < b->r)
			b->per_exit[on][b->got[on]++] = (double)(t1 - t0) / b->w.n;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Exits and their statistics on vs off: the median round of all vCPUs. */
static int bench(unsigned long n, unsigned int r)
{
	static struct bench_worker b[64];
	pthread_barrier_t start;
	int cpus[64], nw, i, s;
	double *all[2], med[2], min[2];
	unsigned int tot[2] = { 0, 0 };
	unsigned long dropped = 0;

	nw = online_cpus(cpus, 64);
	if (!n || !r || !nw) {
		fprintf(stderr, "usage: leafcheck bench N R (N, R > 0)\n");
		return 2;
	}
	pthread_barrier_init(&start, NULL, nw);
	for (i = 0; i < nw; i++) {
		b[i].w.cpu = cpus[i];
		b[i].w.start = &start;
		b[i].w.n = n;
		b[i].r = r;
		b[i].per_exit[0] = calloc(r, sizeof(double));
		b[i].per_exit[1] = calloc(r, sizeof(double));
		if (!b[i].per_exit[0] || !b[i].per_exit[1]) {
			fprintf(stderr, "leafcheck: bench: out of memory\n");
			return 1;
		}
		start_pinned(&b[i].w.thread, b[i].w.cpu, bench_work, &b[i]);
	}
	for (i = 0; i < nw; i++) {
		pthread_join(b[i].w.thread, NULL);
		tot[0] += b[i].got[0];
		tot[1] += b[i].got[1];
		dropped += b[i].dropped;
	}
	for (s = 0; s < 2; s++) {
		all[s] = calloc(tot[s] + 1, sizeof(double));
		tot[s] = 0;
		for (i = 0; i < nw; i++) {
			memcpy(all[s] + tot[s], b[i].per_exit[s],
			       b[i].got[s] * sizeof(double));
			tot[s] += b[i].got[s];
		}
		qsort(all[s], tot[s], sizeof(double), cmp_double);
		med[s] = tot[s] ? all[s][tot[s] / 2] : 0;
		min[s] = tot[s] ? all[s][0] : 0;
		printf("leafcheck: bench %s: median %.1f TSC cycles per CPUID exit (%u rounds of %lu on %d vCPUs; min %.1f, quartiles %.1f %.1f)\n",
		       s ? "on" : "off", med[s], tot[s], n, nw, min[s],
		       tot[s] ? all[s][tot[s] / 4] : 0,
		       tot[s] ? all[s][tot[s] * 3 / 4] : 0);
	}
	printf("leafcheck: bench %lu rounds straddled a toggle and were dropped\n",
	       dropped);
	if (tot[0] < (unsigned int)nw * r || tot[1] < (unsigned int)nw * r) {
		printf("leafcheck: bench FAIL: fewer than %u rounds per state and vCPU (is L1 toggling kvm.exit_stats?)\n",
		       r);
		return 1;
	}
	printf("leafcheck: bench ratio on/off %.4f per exit (%+.2f %%)\n",
	       med[1] / med[0], (med[1] / med[0] - 1) * 100);
	/*
	 * Where the TSC counts instructions (Bochs), the quickest round is
	 * one no interrupt hit: its ratio is that of the exit's path lengths.
	 */
	printf("leafcheck: bench min-ratio on/off %.4f per exit (%+.2f %%)\n",
	       min[1] / min[0], (min[1] / min[0] - 1) * 100);
	return 0;
}

static void dump(void)
{
	static const uint32_t ecx[] = { 0, 1, 10, 0x72, 85, 86, 0x403,
					0xffffffff };
	uint32_t leaf;
	unsigned int i;
	struct regs r;

	for (leaf = LEAF_INFO; leaf <= LEAF_RCYCLES; leaf++)
		for (i = 0; i < sizeof(ecx) / sizeof(ecx[0]); i++) {
			r = cpuid(leaf, ecx[i]);
			printf("leafcheck: dump 0x%08x 0x%08x: %08x %08x %08x %08x\n",
			       leaf, ecx[i], r.a, r.b, r.c, r.d);
		}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 && !strchr("0123456789", argv[1][0]) ?
			   argv[1] : "";
	struct regs info, total;
	unsigned int i;

	/* line by line: what was checked survives a crash */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "dump")) {
		dump();
		return 0;
	}
	if (!strcmp(mode, "bench"))
		return bench(argc > 2 ? strtoul(argv[2], NULL, 0) : 0,
			     argc > 3 ? strtoul(argv[3], NULL, 0) : 0);
	if (*mode && strcmp(mode, "smp") && strcmp(mode, "view")) {
		fprintf(stderr, "usage: leafcheck [N_CPUID [N_OUTB]] | smp N | view [--hold] | dump | bench N R\n");
		return 2;
	}
	info = cpuid(LEAF_INFO, 0);
	for (i = 0; i < sizeof(taxonomies) / sizeof(taxonomies[0]); i++)
		if (info.b == taxonomies[i].id)
			tax = &taxonomies[i];
	if (!strcmp(mode, "view") && info.a == 1 && tax) {
		total = cpuid(LEAF_TOTAL, 0);
		printf("leafcheck: view scope=%s cpuid=%u total=%u\n",
		       info.d ? "host" : "vm", cpuid(LEAF_COUNT, tax->cpuid_exit).a,
		       total.a);
		/* --hold: no exit, so nothing (no next exec) runs after the view */
		if (argc > 2 && !strcmp(argv[2], "--hold"))
			for (;;)
				pause();
		return 0;
	}
	check(info.a == 1 && tax && info.c == (tax ? tax->max : 0) && info.d <= 1,
	      "0x4ffffffb: version 1, taxonomy 1 (Intel, highest reason 85) or 2 (AMD, 0x403), scope %s: %u %u 0x%x %u",
	      info.d ? "host" : "vm", info.a, info.b, info.c, info.d);
	if (info.a != 1 || !tax) {
		printf("%u passed, %u failed\n", passed, failed);
		return 1;
	}
	if (!strcmp(mode, "smp")) {
		check_smp(argc > 2 ? strtoul(argv[2], NULL, 0) : 10000);
	} else {
		check_register_classes();
		check_totals();
		check_back_to_back();
		check_cpuid_workload(argc > 1 ? strtoul(argv[1], NULL, 0) : 100000);
		check_io_workload(argc > 2 ? strtoul(argv[2], NULL, 0) : 10000);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

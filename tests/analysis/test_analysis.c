// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of `exitprof analyze` on handmade profiles with known answers
 * (worked out in the comments), and on every kind of malformed input: each
 * must give one exact "file:line: column N (name): what" message, exit 1
 * and leave no output file behind.  Runs exitprof_analyze() in-process
 * under ASan and UBSan, capturing stdout and stderr.
 *
 *   test_analysis FIXTURES_DIR           run the tests
 *   test_analysis --analyze ARGS...      the analyser itself (for scripts)
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"

static unsigned int passed, failed;
static char root[256];			/* scratch directory of this run */
static const char *fixtures;		/* tests/analysis/fixtures */
static int fails;			/* failed checks in the current test */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fails++;						\
		fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static void begin(void)
{
	fails = 0;
}

static void end(const char *name)
{
	if (fails) {
		failed++;
		printf("FAIL %s\n", name);
	} else {
		passed++;
		printf("ok   %s\n", name);
	}
	fflush(stdout);
}

/* ---- files ---- */

static void write_file(const char *dir, const char *name, const char *text,
		       size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
}

/* A fresh profile directory under root. */
static const char *profile(const char *name, const char *samples,
			   size_t samples_len, const char *milestones)
{
	static char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	if (mkdir(dir, 0777)) {
		perror(dir);
		exit(2);
	}
	if (samples)
		write_file(dir, "samples.csv", samples,
			   samples_len ? samples_len : strlen(samples));
	if (milestones)
		write_file(dir, "milestones.csv", milestones, strlen(milestones));
	return dir;
}

static char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
		perror("slurp");
		exit(2);
	}
	return s;
}

static char *read_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	s = slurp(f);
	fclose(f);
	return s;
}

/* A fixture from FIXTURES_DIR, copied so that outputs land in root. */
static const char *fixture(const char *name, const char *as)
{
	static char src[PATH_MAX];
	char *s, *m;
	const char *dir;

	snprintf(src, sizeof(src), "%s/%s", fixtures, name);
	s = read_file(src, "samples.csv");
	m = read_file(src, "milestones.csv");
	if (!s) {
		fprintf(stderr, "no fixture %s/samples.csv\n", src);
		exit(2);
	}
	dir = profile(as ? as : name, s, 0, m);
	free(s);
	free(m);
	return dir;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !stat(path, &st);
}

/* The directory holds exactly the input files: nothing of the run. */
static void check_only_inputs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	CHECK(d != NULL, "%s: cannot list", dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (!strcmp(n, ".") || !strcmp(n, "..") ||
		    !strcmp(n, "samples.csv") || !strcmp(n, "milestones.csv") ||
		    !strcmp(n, "host-samples.csv"))
			continue;
		CHECK(0, "%s: left behind: %s", dir, n);
	}
	closedir(d);
}

/* ---- running the analyser ---- */

struct run {
	int status;
	char *out, *err;
};

static struct run analyze(const char *first, ...)
{
	char *argv[16] = { "analyze" };
	int argc = 1, o, e;
	FILE *fo = tmpfile(), *fe = tmpfile();
	struct run r;
	va_list ap;
	const char *a;

	va_start(ap, first);
	for (a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	o = dup(1);
	e = dup(2);
	if (!fo || !fe || o < 0 || e < 0) {
		perror("capture");
		exit(2);
	}
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	r.status = exitprof_analyze(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	r.out = slurp(fo);
	r.err = slurp(fe);
	fclose(fo);
	fclose(fe);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/*
 * Field col (1-based, whitespace-separated) of the first data line of
 * dir/file whose field key_col equals key.  NAN if there is none.
 */
static double dat(const char *dir, const char *file, int key_col,
		  const char *key, int col)
{
	char *text = read_file(dir, file), *line, *save = NULL;
	double v = NAN;

	if (!text)
		return NAN;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *s2 = NULL, *w;
		int n = 0;

		if (line[0] == '#')
			continue;
		for (w = strtok_r(line, " ", &s2); w && n < 64;
		     w = strtok_r(NULL, " ", &s2))
			f[n++] = w;
		if (n >= key_col && n >= col && !strcmp(f[key_col - 1], key)) {
			v = strtod(f[col - 1], NULL);
			break;
		}
	}
	free(text);
	return v;
}

#define CHECK_NUM(got, want) do {					\
	double g_ = (got), w_ = (want);					\
	CHECK(fabs(g_ - w_) <= 1e-6 * (fabs(w_) > 1 ? fabs(w_) : 1),	\
	      "%s = %.6f, want %.6f", #got, g_, w_);			\
} while (0)

/* reasons.dat: rank code name exits exits_pct exits_per_s cycles cycles_pct avg */
#define REASON(dir, code, col) dat(dir, "reasons.dat", 2, code, col)
/* phases.dat: phase start end sampled exits exits_per_s cycles top... other */
#define PHASE(dir, id, col) dat(dir, "phases.dat", 1, id, col)
/* phase_reasons.dat: phase code name exits exits_per_s cycles avg */
static double phase_reason(const char *dir, const char *phase,
			   const char *name, int col)
{
	char *text = read_file(dir, "phase_reasons.dat"), *p;
	char key[128];
	double v = NAN;

	if (!text)
		return NAN;
	snprintf(key, sizeof(key), "\n%s ", phase);
	for (p = strstr(text, key); p; p = strstr(p + 1, key)) {
		char ph[64], code[16], nm[64];
		double f[4];

		if (sscanf(p + 1, "%63s %15s %63s %lf %lf %lf %lf", ph, code, nm,
			   &f[0], &f[1], &f[2], &f[3]) == 7 && !strcmp(nm, name)) {
			v = f[col - 4];
			break;
		}
	}
	free(text);
	return v;
}

static const char *const outputs[] = {
	"summary.md", "intervals.dat", "timeline.dat", "heatmap.dat",
	"timeline_boot.dat", "heatmap_boot.dat",
	"phases.dat", "phase_reasons.dat", "reasons.dat", "cycles.dat",
	"plotvars.gp",
};

static void check_all_outputs(const char *dir)
{
	size_t i;

	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		CHECK(exists(dir, outputs[i]), "%s/%s missing", dir, outputs[i]);
}

/* ---- profiles with known answers ---- */

/*
 * fixtures/wrap: counts cross 2^32 between the first two samples.
 *   n1:  4294967290 -> 10:  (10 - 4294967290) mod 2^32 = 16
 *   n48: 4294966000 -> 184: (184 - 4294966000) mod 2^32 = 1480
 *   total 4294967000 -> 1200: 1496 = 16 + 1480; cycles 1000 -> 6000: 5000
 * Interval 1..2 s: 16/s, 1480/s, total 1496/s, 5000 cycles/s.  Then n1
 * +100.  Whole profile (64-bit, no wrap): n1 = 4294967290 + 16 + 100 =
 * 4294967406, n48 = 4294966000 + 1480 = 4294967480, cycles 500 + 1600 +
 * 1000 = 3100 and 500 + 3400 = 3900.
 */
static void test_wrap(void)
{
	const char *d;
	struct run r;

	begin();
	d = fixture("wrap", NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	check_all_outputs(d);
	/* intervals.dat: t0 t1 dt total/s cycles/s n1/s n10/s n48/s */
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 4), 1496);
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 5), 5000);
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 6), 16);
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 8), 1480);
	CHECK_NUM(dat(d, "intervals.dat", 1, "2.000000", 6), 100);
	CHECK_NUM(REASON(d, "1", 4), 4294967406.0);
	CHECK_NUM(REASON(d, "48", 4), 4294967480.0);
	CHECK_NUM(REASON(d, "1", 7), 3100);
	CHECK_NUM(REASON(d, "48", 7), 3900);
	CHECK(strstr(r.out, "EPT_VIOLATION    48   4294967480") != NULL,
	      "table: %s", r.out);
	run_free(&r);
	end("32-bit wraparound: deltas modulo 2^32, 64-bit sums");
}

/*
 * fixtures/selfexit: the sampler's own CPUIDs (self_cpuid) come out of
 * CPUID (reason 10) and the total; CPUID cycles in proportion.
 *   row 1 (first): CPUID 300 - 170 = 130, cycles 30000 * 130/300 = 13000;
 *                  HLT 200 (70000); total 500 - 170 = 330
 *   1..2 s: CPUID +170 - 162 = 8, cycles 17000 * 8/170 = 800; HLT +50 (5000)
 *   2..3 s: CPUID +162 - 162 = 0 (cycles 0);                   HLT +100 (10000)
 *   3..4 s: CPUID +100 < 162 self: 0, one sample clamped;      HLT +0
 * CPUID 138 exits, 13800 cycles (100/exit); HLT 350, 85000 (242.9/exit);
 * 594 self CPUIDs taken out (170 + 162 + 162 + 100).  Rates over 0..4 s:
 * CPUID 34.5/s, HLT 87.5/s.  Shares: 138/488 = 28.2787 %, cycles 13800 /
 * 98800 = 13.9676 %.
 */
static void test_self(void)
{
	const char *d;
	struct run r;

	begin();
	d = fixture("selfexit", NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "10", 4), 138);
	CHECK_NUM(REASON(d, "10", 5), 28.2787);
	CHECK_NUM(REASON(d, "10", 6), 34.5);
	CHECK_NUM(REASON(d, "10", 7), 13800);
	CHECK_NUM(REASON(d, "10", 8), 13.9676);
	CHECK_NUM(REASON(d, "10", 9), 100);
	CHECK_NUM(REASON(d, "12", 4), 350);
	CHECK_NUM(REASON(d, "12", 7), 85000);
	CHECK_NUM(REASON(d, "12", 9), 242.9);
	CHECK_NUM(PHASE(d, "before-sampler", 5), 330);
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 4), 58);
	CHECK_NUM(dat(d, "intervals.dat", 1, "1.000000", 6), 8);
	CHECK_NUM(dat(d, "intervals.dat", 1, "2.000000", 6), 0);
	CHECK(strstr(r.out, "594 of the sampler's own CPUID exits taken out"),
	      "table: %s", r.out);
	CHECK(strstr(r.err, "note: 1 sample had fewer CPUID exits than the sampler's own CPUIDs"),
	      "stderr: %s", r.err);
	run_free(&r);
	end("the sampler's own CPUID exits are subtracted");
}

/*
 * fixtures/split: samples at 1, 2, 3, 4, 5 s; every interval HLT +1000
 * (2000 cycles), EPT +100 (500 cycles).  Milestones (s): userspace 0.5,
 * sysinit 1.25, basic 1.5, multi-user 3.75, finished 4.2; no initrd.
 *   early-userspace 0.5..1.25, sampled from 1 s: 0.25 of 1..2 -> HLT 250
 *   sysinit-basic 1.25..1.5: 0.25 of 1..2                      -> HLT 250
 *   basic-multi-user 1.5..3.75: 0.5 + 1 + 0.75 = 2.25 s         -> HLT 2250
 *   multi-user-finished 3.75..4.2: 0.25 + 0.2 = 0.45 s          -> HLT 450
 *   after-boot 4.2..5: 0.8 s                                     -> HLT 800
 * EPT a tenth of that, cycles in proportion (HLT 2/exit, EPT 5/exit), every
 * rate 1000/s HLT, 100/s EPT, 1100/s in all; before-sampler 0.  initrd is
 * not formed; the sum is 4000 HLT.
 */
static void test_split(void)
{
	const char *d;
	struct run r;
	char *sum;

	begin();
	d = fixture("split", NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(phase_reason(d, "early-userspace", "HLT", 4), 250);
	CHECK_NUM(phase_reason(d, "sysinit-basic", "HLT", 4), 250);
	CHECK_NUM(phase_reason(d, "basic-multi-user", "HLT", 4), 2250);
	CHECK_NUM(phase_reason(d, "multi-user-finished", "HLT", 4), 450);
	CHECK_NUM(phase_reason(d, "after-boot", "HLT", 4), 800);
	CHECK_NUM(phase_reason(d, "multi-user-finished", "EPT_VIOLATION", 4), 45);
	CHECK_NUM(phase_reason(d, "multi-user-finished", "HLT", 5), 1000);
	CHECK_NUM(phase_reason(d, "multi-user-finished", "HLT", 6), 900);
	CHECK_NUM(phase_reason(d, "after-boot", "EPT_VIOLATION", 6), 400);
	CHECK_NUM(PHASE(d, "early-userspace", 4), 0.25);
	CHECK_NUM(PHASE(d, "basic-multi-user", 4), 2.25);
	CHECK_NUM(PHASE(d, "basic-multi-user", 6), 1100);
	CHECK_NUM(PHASE(d, "before-sampler", 5), 0);
	CHECK(isnan(PHASE(d, "initrd", 5)), "initrd has figures");
	CHECK(isnan(PHASE(d, "unattributed", 5)), "unattributed has figures");
	CHECK_NUM(REASON(d, "12", 4), 4000);
	/* the charts' bins: the nominal interval (interval_ms=1000) */
	CHECK_NUM(dat(d, "timeline.dat", 1, "1.000000", 2), 2.0);
	CHECK_NUM(dat(d, "timeline.dat", 1, "4.000000", 3), 1100);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "sampled from 1.000 s (the first sample); began at 0.500 s"),
	      "summary lacks early-userspace coverage");
	CHECK(sum && strstr(sum, "not formed: no initrd milestone"),
	      "summary lacks the initrd note");
	free(sum);
	CHECK(!strncmp(r.err, "exitprof analyze: note: phase initrd could not be formed: no initrd milestone\n", 78),
	      "stderr: %s", r.err);
	run_free(&r);
	end("phase boundaries between samples split intervals by time");

	/*
	 * The boot, kernel (0) to finished (4.2 s): before-sampler 0, then
	 * 1..4.2 s at 1100/s = 3520 exits (838.1/s).  -n: the same on
	 * stdout, and no file written.
	 */
	begin();
	d = fixture("split", "split-no-files");
	r = analyze("-n", d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK(strstr(r.out, "\nBoot: 3520 exits from VM start (kernel) to boot finished, 4.200 s (838.1 exits/s)\n"),
	      "table: %s", r.out);
	CHECK(strstr(r.out, "\nbasic-multi-user          1.500..3.750   2.250 s       2475  56.25%     1100.0  HLT 2250, EPT_VIOLATION 225\n"),
	      "phases: %s", r.out);
	CHECK(strstr(r.out, "\ninitrd               not formed: no initrd milestone\n"),
	      "phases: %s", r.out);
	CHECK(strstr(r.out, "\nearly-userspace           0.500..1.250    750 ms        275   6.25%     1100.0  HLT 250, EPT_VIOLATION 25 (sampled from 1.000 s (the first sample); began at 0.500 s)\n"),
	      "phases: %s", r.out);
	check_only_inputs(d);
	run_free(&r);
	end("the boot's total and the phases on stdout; -n writes no file");
}

/*
 * fixtures/single: one row at 2 s.  Everything is before-sampler: CPUID
 * 364 - 164 = 200 (36400 * 200/364 = 20000 cycles, 100/s over 0..2 s), HLT
 * 800 (13600 cycles, 400/s).  No intervals: intervals.dat and
 * timeline.dat hold their header only.
 */
static void test_single(void)
{
	const char *d;
	struct run r;
	char *iv;

	begin();
	d = fixture("single", NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	check_all_outputs(d);
	CHECK_NUM(REASON(d, "10", 4), 200);
	CHECK_NUM(REASON(d, "10", 6), 100);
	CHECK_NUM(REASON(d, "10", 7), 20000);
	CHECK_NUM(REASON(d, "12", 6), 400);
	iv = read_file(d, "intervals.dat");
	CHECK(iv && !strchr(strchr(iv, '\n') + 1, '\n'), "intervals.dat: %s", iv);
	free(iv);
	CHECK(strstr(r.out, "1 samples;") != NULL, "table: %s", r.out);
	run_free(&r);
	end("a single row");
}

/*
 * The split samples without milestones.csv: exit 0, nothing but
 * before-sampler and the totals (HLT 4000), a note on stderr and in the
 * summary; the sampled 1..5 s are unattributed (4000 HLT + 400 EPT).
 * Then without basic.target: sysinit-basic and basic-multi-user are not
 * formed and their time, 1.25..3.75 s, is unattributed: 2.5 s of HLT at
 * 1000/s = 2500; the phases around them keep their figures.
 */
static void test_missing_milestones(void)
{
	const char *d;
	struct run r;
	char *s, *sum;

	begin();
	s = read_file(fixtures, "split/samples.csv");
	d = profile("no-milestones", s, 0, NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK(strstr(r.err, "note: no milestones.csv: the boot phases could not be formed"),
	      "stderr: %s", r.err);
	CHECK_NUM(REASON(d, "12", 4), 4000);
	CHECK(isnan(PHASE(d, "early-userspace", 5)), "early-userspace formed");
	CHECK_NUM(PHASE(d, "unattributed", 5), 4400);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "not formed: no milestones.csv"), "summary");
	free(sum);
	run_free(&r);

	d = profile("no-basic", s,  0,
		    "# exitprof-milestones v1\nmilestone,time_us\nkernel,0\n"
		    "userspace,500000\nsysinit.target,1250000\n"
		    "multi-user.target,3750000\nfinished,4200000\n");
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK(strstr(r.err, "note: phase sysinit-basic could not be formed: no basic.target milestone\n"),
	      "stderr: %s", r.err);
	CHECK(strstr(r.err, "note: phase basic-multi-user could not be formed: no basic.target milestone\n"),
	      "stderr: %s", r.err);
	CHECK_NUM(phase_reason(d, "unattributed", "HLT", 4), 2500);
	CHECK_NUM(phase_reason(d, "early-userspace", "HLT", 4), 250);
	CHECK_NUM(phase_reason(d, "multi-user-finished", "HLT", 4), 450);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "not formed: no basic.target milestone"), "summary");
	free(sum);
	run_free(&r);
	free(s);
	end("missing milestones: analyse what is there, say what is missing");
}

/*
 * fixtures/amd: taxonomy 2, CPUID is 0x72 = 114.  First row: CPUID 10 - 4
 * = 6; then +6 - 4 = 2: 8 in all.  NPF (0x400 = 1024) 40 + 14 = 54.  An
 * unknown metadata key and an unknown milestone are ignored (with a note).
 * early-userspace 0.2..0.7 s, sampled 0.5..0.7: 0.4 of the 0.5..1 s
 * interval: NPF 5.6, HLT 4, CPUID 0.8.
 */
static void test_amd(void)
{
	const char *d;
	struct run r;

	begin();
	d = fixture("amd", NULL);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "114", 4), 8);
	CHECK_NUM(REASON(d, "1024", 4), 54);
	CHECK_NUM(phase_reason(d, "early-userspace", "NPF", 4), 5.6);
	CHECK_NUM(phase_reason(d, "early-userspace", "CPUID", 4), 0.8);
	CHECK(strstr(r.err, "1 milestone not known to this exitprof ignored (first: \"unknown.target\")"),
	      "stderr: %s", r.err);
	CHECK(strstr(r.out, "AMD APM SVM exit codes") != NULL, "table: %s", r.out);
	run_free(&r);
	end("AMD taxonomy: CPUID is 0x72");
}

/* scope=host: the first row counts every VM, so no before-sampler. */
static void test_host_scope(void)
{
	const char *d;
	struct run r;

	begin();
	d = profile("host", "# exitprof-samples v1\n# taxonomy=1 scope=host\n"
		    "time_ns,total,cycles,self_cpuid,n12,cyc12\n"
		    "1000000000,900000,9000000,0,900000,9000000\n"
		    "2000000000,900010,9000100,0,900010,9000100\n", 0,
		    "# exitprof-milestones v1\nmilestone,time_us\nkernel,0\n");
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "12", 4), 10);
	CHECK(strstr(r.err, "phase before-sampler could not be formed: scope=host"),
	      "stderr: %s", r.err);
	run_free(&r);
	end("host scope leaves before-sampler out of the totals");
}

/* A truncated last line: an error, or with -t the end of the data. */
static void test_truncated_accepted(void)
{
	const char *d;
	struct run r;

	begin();
	d = profile("trunc-ok", "# exitprof-samples v1\n# taxonomy=1\n"
		    "time_ns,total,cycles,self_cpuid,n12,cyc12\n"
		    "1000000000,0,0,0,0,0\n2000000000,7,70,0,7,70\n"
		    "3000000000,9,9", 0, NULL);
	r = analyze("--accept-truncated", d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "12", 4), 7);
	CHECK(strstr(r.err, "samples.csv:6: truncated last line ignored (--accept-truncated)"),
	      "stderr: %s", r.err);
	run_free(&r);
	end("--accept-truncated stops at a truncated last line");
}

/* -o: results elsewhere, the profile untouched. */
static void test_outdir(void)
{
	char out[PATH_MAX];
	const char *d;
	struct run r;

	begin();
	d = fixture("split", "outdir-profile");
	snprintf(out, sizeof(out), "%s/outdir-results", root);
	r = analyze("-o", out, d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	check_all_outputs(out);
	check_only_inputs(d);
	run_free(&r);
	end("-o OUTDIR");
}

/* ---- bad input ---- */

#define SH "# exitprof-samples v1\n" \
	   "# taxonomy=1 max_reason=85 scope=vm interval_ms=1000 clock=CLOCK_MONOTONIC\n"
#define SC "time_ns,total,cycles,self_cpuid,n1,cyc1,n10,cyc10\n"
#define R1 "1000000000,10,100,0,5,50,5,50\n"
#define R2 "2000000000,20,200,0,10,100,10,100\n"
#define MH "# exitprof-milestones v1\nmilestone,time_us\n"
#define MS MH "kernel,0\n"

static const struct bad {
	const char *what, *samples, *milestones;
	const char *msg;	/* after "DIR/" */
} bad[] = {
	{ "empty samples file", "", MS,
	  "samples.csv:1: empty file: expected \"# exitprof-samples v1\"" },
	{ "wrong magic", "# exitprof samples\n# taxonomy=1\n" SC R1, MS,
	  "samples.csv:1: not an exitprof samples file: expected \"# exitprof-samples v1\", found \"# exitprof samples\"" },
	{ "milestones given as samples", MS, MS,
	  "samples.csv:1: not an exitprof samples file: expected \"# exitprof-samples v1\", found \"# exitprof-milestones v1\"" },
	{ "unknown version", "# exitprof-samples v2\n# taxonomy=1\n" SC R1, MS,
	  "samples.csv:1: samples format version 2 is not supported (this exitprof reads v1)" },
	{ "no metadata line", "# exitprof-samples v1\n", MS,
	  "samples.csv:2: the file ends before its metadata line" },
	{ "metadata not a comment", "# exitprof-samples v1\n" SC R1, MS,
	  "samples.csv:2: expected the metadata line \"# taxonomy=...\", found \"time_ns,total,cycles,self_cpuid,n1,cyc1,...\"" },
	{ "no taxonomy", "# exitprof-samples v1\n# scope=vm\n" SC R1, MS,
	  "samples.csv:2: metadata has no taxonomy=1|2: cannot name the reasons" },
	{ "unknown taxonomy", "# exitprof-samples v1\n# taxonomy=3\n" SC R1, MS,
	  "samples.csv:2: metadata taxonomy=3: unknown taxonomy (1 = Intel SDM, 2 = AMD APM)" },
	{ "metadata not key=value", "# exitprof-samples v1\n# taxonomy=1 oops\n" SC R1, MS,
	  "samples.csv:2: metadata \"oops\" is not key=value" },
	{ "another clock", "# exitprof-samples v1\n# taxonomy=1 clock=CLOCK_REALTIME\n" SC R1, MS,
	  "samples.csv:2: metadata clock=CLOCK_REALTIME: samples must use CLOCK_MONOTONIC, the milestones' clock" },
	{ "bad scope", "# exitprof-samples v1\n# taxonomy=1 scope=all\n" SC R1, MS,
	  "samples.csv:2: metadata scope=all: scope is vm or host" },
	{ "no column header", SH, MS,
	  "samples.csv:3: the file ends before its column header" },
	{ "wrong fixed column", SH "time_ns,totl,cycles,self_cpuid,n1,cyc1\n" R1, MS,
	  "samples.csv:3: column 2: expected \"total\", found \"totl\"" },
	{ "too few fixed columns", SH "time_ns,total,cycles\n" R1, MS,
	  "samples.csv:3: column 4: missing, expected \"self_cpuid\"" },
	{ "undefined reason column", SH "time_ns,total,cycles,self_cpuid,n1,cyc1,n35,cyc35\n" R1, MS,
	  "samples.csv:3: column 7 (n35): reason 35 is not defined by the Intel SDM basic exit reasons" },
	{ "reasons not ascending", SH "time_ns,total,cycles,self_cpuid,n10,cyc10,n1,cyc1\n" R1, MS,
	  "samples.csv:3: column 7 (n1): reason 1 after reason 10: reasons must ascend" },
	{ "reason above max_reason", "# exitprof-samples v1\n# taxonomy=1 max_reason=5\n" SC R1, MS,
	  "samples.csv:3: column 7 (n10): reason 10 is above max_reason=5" },
	{ "n and cyc do not pair", SH "time_ns,total,cycles,self_cpuid,n1,cyc2\n" R1, MS,
	  "samples.csv:3: column 6: expected \"cyc1\" after \"n1\", found \"cyc2\"" },
	{ "header ends inside a pair", SH "time_ns,total,cycles,self_cpuid,n1\n" R1, MS,
	  "samples.csv:3: column 6: missing, expected \"cyc1\" after \"n1\"" },
	{ "not a reason column", SH "time_ns,total,cycles,self_cpuid,x1,cyc1\n" R1, MS,
	  "samples.csv:3: column 5: expected a reason column \"n<code>\", found \"x1\"" },
	{ "no samples", SH SC, MS,
	  "samples.csv:4: no samples after the column header" },
	{ "too few columns", SH SC R1 "2000000000,20,200,0,10,100,10\n", MS,
	  "samples.csv:5: column 8 (cyc10): missing: the row has 7 columns, the header 8" },
	{ "too many columns", SH SC R1 "2000000000,20,200,0,10,100,10,100,7\n", MS,
	  "samples.csv:5: column 9: extra column: the header has 8" },
	{ "not a number", SH SC R1 "2000000000,20,200,0,12x,100,10,100\n", MS,
	  "samples.csv:5: column 5 (n1): not a number: \"12x\"" },
	{ "negative number", SH SC R1 "2000000000,20,200,0,10,100,-10,100\n", MS,
	  "samples.csv:5: column 7 (n10): not a number: \"-10\"" },
	{ "blank in a field", SH SC R1 "2000000000,20,200,0,10,100,10, 100\n", MS,
	  "samples.csv:5: column 8 (cyc10): not a number: \" 100\"" },
	{ "hex number", SH SC "0x10,10,100,0,5,50,5,50\n", MS,
	  "samples.csv:4: column 1 (time_ns): not a number: \"0x10\"" },
	{ "empty field", SH SC R1 "2000000000,20,,0,10,100,10,100\n", MS,
	  "samples.csv:5: column 3 (cycles): empty field" },
	{ "count above 32 bits", SH SC R1 "2000000000,20,200,0,4294967296,100,10,100\n", MS,
	  "samples.csv:5: column 5 (n1): out of range for a 32-bit count: \"4294967296\"" },
	{ "total above 32 bits", SH SC "1000000000,4294967296,100,0,5,50,5,50\n", MS,
	  "samples.csv:4: column 2 (total): out of range for a 32-bit count: \"4294967296\"" },
	{ "cycles above 64 bits", SH SC R1 "2000000000,20,18446744073709551616,0,10,100,10,100\n", MS,
	  "samples.csv:5: column 3 (cycles): out of range for 64 bits: \"18446744073709551616\"" },
	{ "time repeats", SH SC R1 "1000000000,20,200,0,10,100,10,100\n", MS,
	  "samples.csv:5: column 1 (time_ns): 1000000000 is not after the previous row's 1000000000 (line 4): time_ns must increase" },
	{ "time goes back", SH SC R1 R2 "1500000000,30,300,0,15,150,15,150\n", MS,
	  "samples.csv:6: column 1 (time_ns): 1500000000 is not after the previous row's 2000000000 (line 5): time_ns must increase" },
	{ "reason cycles go back", SH SC R1 "2000000000,20,200,0,10,40,10,100\n", MS,
	  "samples.csv:5: column 6 (cyc1): 40 is less than the previous row's 50 (line 4): 64-bit cycles do not go backwards" },
	{ "count delta too large to be a wrap", SH SC R1 "2000000000,20,200,0,2147483654,100,10,100\n", MS,
	  "samples.csv:5: column 5 (n1): 2147483654 after the previous row's 5 (line 4) is a delta of 2147483649 (mod 2^32), more than 2^31 in one interval: too large to be a wrap" },
	{ "total delta too large to be a wrap", SH SC R1 "2000000000,9,200,0,10,100,10,100\n", MS,
	  "samples.csv:5: column 2 (total): 9 after the previous row's 10 (line 4) is a delta of 4294967295 (mod 2^32), more than 2^31 in one interval: too large to be a wrap" },
	{ "total cycles go back", SH SC R1 "2000000000,20,99,0,10,100,10,100\n", MS,
	  "samples.csv:5: column 3 (cycles): 99 is less than the previous row's 100 (line 4): 64-bit cycles do not go backwards" },
	{ "truncated last line", SH SC R1 "2000000000,20,200,0,1", MS,
	  "samples.csv:5: truncated last line (no newline at the end of the file)" },
	{ "truncated header", SH "time_ns,total", MS,
	  "samples.csv:3: truncated column header (no newline at the end of the file)" },
	{ "truncated magic", "# exitprof-samples v1", MS,
	  "samples.csv:1: truncated: the file ends inside its first line" },
	{ "empty line", SH SC R1 "\n" R2, MS,
	  "samples.csv:5: empty line" },
	{ "CRLF line ends", "# exitprof-samples v1\n# taxonomy=1\n" SC "1000000000,10,100,0,5,50,5,50\r\n", MS,
	  "samples.csv:4: column 8 (cyc10): not a number: \"50\\x0d\"" },
	{ "semicolons", SH SC "1000000000;10;100;0;5;50;5;50\n", MS,
	  "samples.csv:4: column 1 (time_ns): not a number: \"1000000000;10;100;0;5;50;5;50\"" },
	/* milestones.csv */
	{ "empty milestones file", SH SC R1 R2, "",
	  "milestones.csv:1: empty file: expected \"# exitprof-milestones v1\"" },
	{ "milestones: wrong magic", SH SC R1 R2, "# milestones\n",
	  "milestones.csv:1: not an exitprof milestones file: expected \"# exitprof-milestones v1\", found \"# milestones\"" },
	{ "milestones: unknown version", SH SC R1 R2, "# exitprof-milestones v9\nmilestone,time_us\n",
	  "milestones.csv:1: milestones format version 9 is not supported (this exitprof reads v1)" },
	{ "milestones: wrong header", SH SC R1 R2, "# exitprof-milestones v1\nname,time\n",
	  "milestones.csv:2: expected the header \"milestone,time_us\", found \"name,time\"" },
	{ "milestones: decreasing", SH SC R1 R2, MS "sysinit.target,3000000\nbasic.target,2000000\n",
	  "milestones.csv:5: column 2 (time_us): 2000000 is before sysinit.target at 3000000 (line 4): milestones must not decrease" },
	{ "milestones: out of boot order", SH SC R1 R2, MS "basic.target,2000000\nsysinit.target,3000000\n",
	  "milestones.csv:5: column 1 (milestone): \"sysinit.target\" after \"basic.target\": not in boot order" },
	{ "milestones: twice", SH SC R1 R2, MS "userspace,1\nuserspace,2\n",
	  "milestones.csv:5: column 1 (milestone): \"userspace\" again (first on line 4)" },
	{ "milestones: not a number", SH SC R1 R2, MS "userspace,12a\n",
	  "milestones.csv:4: column 2 (time_us): not a number: \"12a\"" },
	{ "milestones: too large", SH SC R1 R2, MS "userspace,18446744073709552\n",
	  "milestones.csv:4: column 2 (time_us): out of range: \"18446744073709552\"" },
	{ "milestones: empty time", SH SC R1 R2, MS "userspace,\n",
	  "milestones.csv:4: column 2 (time_us): empty field" },
	{ "milestones: no name", SH SC R1 R2, MS ",5\n",
	  "milestones.csv:4: column 1 (milestone): empty field" },
	{ "milestones: missing column", SH SC R1 R2, MH "kernel\n",
	  "milestones.csv:3: column 2 (time_us): missing: the row has 1 column, the header 2" },
	{ "milestones: extra column", SH SC R1 R2, MH "kernel,0,1\n",
	  "milestones.csv:3: column 3: extra column: the header has 2" },
	{ "milestones: truncated", SH SC R1 R2, MS "userspace,15",
	  "milestones.csv:4: truncated last line (no newline at the end of the file)" },
};

/* ---- a host and a guest series of the same VM ---- */

/*
 * The VM is created at host 100.0 s (created_ns); from then on it exits
 * for HLT (12) at 1000/s, 10 cycles each.  The host reads every 0.5 s from
 * 100.1 s to 105.1 s.  The guest's clock is the host's - 100.8 s: its
 * sampler reads at guest 1, 2, 3, 4 s (host 101.8 .. 104.8): HLT 1800,
 * 2800, 3800, 4800.  Its own CPUIDs (10, 100 cycles each): 12 of the probe
 * just before the first row, then 10 per sweep right after each row, so
 * the guest's CPUID column reads 12, 22, 32, 42 (self_cpuid 12, 10, 10,
 * 10) and the host's 0 until 101.8, 22 after it, +10 after 102.8, 103.8
 * and 104.8 (the last sweep's, in no guest row): 52 at 105.1.
 *
 * Alignment: host row 102.1 (total 2122) meets the guest's curve, from
 * (1 s, 1812 + the sweep's 10) to (2 s, 2822), at 2122.5: guest 1.3005 s;
 * every host row in the guest's span gives the same: offset 100.7995 s
 * (the +0.5 is half an exit, 0.5 ms at 1000/s), residuals 0.  The axis
 * starts at 100.0: the kernel (guest 0) at 0.7995 s, userspace (1.5 s) at
 * 2.2995 s, ..., finished (3.5 s) at 4.2995 s.
 *
 * Figures: HLT 5100 (0..5.1 s); firmware 0..0.7995 s: HLT 799.5; kernel
 * (no initrd: to userspace) 1500; after-boot 4.2995..5.1 s: HLT 800.5.
 * The guest's 42 own CPUIDs come out of the host's intervals where their
 * sweeps began: CPUID 52 - 42 = 10, all in after-boot (the last sweep's).
 *
 * variant 1: the host counts 3 EXTERNAL_INTERRUPT (1) from 103.6 s that
 * the guest never sees (the totals do not: the alignment stays).  The
 * checkpoints are the host rows at 3.1, 4.1 and 4.6 s on the axis; the
 * chunk 3.1..4.1 s has host 3, guest 0, bound 0.
 * variant 2: no created_ns: the axis starts at the first host row.
 * variant 3: the guest's totals 1000000 higher: another VM's.
 * variant 4: the host stops at 103.1 s (3.1 on the axis), the guest goes on
 * to 104.8 (4.7995): its interval 2.7995..3.7995 counts from 3.1 on, 0.6995
 * of its HLT 1000 = 699.5, rounded 700, and none of its 10 CPUIDs (the
 * sweep at 2.7995, before the host's end, which the host counted and whose
 * CPUIDs came out there); 3.7995..4.7995 counts whole, HLT 1000 and CPUID
 * 10 - its sweep's 10 = 0.  HLT 3100 + 700 + 1000 = 4800 (what the counter
 * really held at 4.7995), CPUID 32 - 32 + 0 = 0.
 */
static void merged_files(const char *dir, int variant)
{
	char buf[8192];
	size_t o;
	int k;

	o = (size_t)snprintf(buf, sizeof(buf),
		"# exitprof-samples v1\n# taxonomy=1 max_reason=85 scope=vm interval_ms=500 sweep_cpuids=0 clock=CLOCK_MONOTONIC source=host vm=4711-12%s\n"
		"time_ns,total,cycles,self_cpuid,n1,cyc1,n10,cyc10,n12,cyc12\n",
		variant == 2 ? "" : " created_after_ns=99999000000 created_ns=100000000000");
	for (k = 0; k <= (variant == 4 ? 6 : 10); k++) {
		unsigned long long h = 100100000000ULL + 500000000ULL * (unsigned)k;
		unsigned long long hlt = (h - 100000000000ULL) / 1000000;
		unsigned long long cpuid = (h > 101800000000ULL ? 22 : 0) +
			(h > 102800000000ULL ? 10 : 0) +
			(h > 103800000000ULL ? 10 : 0) +
			(h > 104800000000ULL ? 10 : 0);
		unsigned int n1 = variant == 1 && h >= 103600000000ULL ? 3 : 0;

		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			"%llu,%llu,%llu,0,%u,0,%llu,%llu,%llu,%llu\n", h,
			hlt + cpuid, hlt * 10 + cpuid * 100, n1, cpuid,
			cpuid * 100, hlt, hlt * 10);
	}
	write_file(dir, "host-samples.csv", buf, o);
	o = (size_t)snprintf(buf, sizeof(buf),
		"# exitprof-samples v1\n# taxonomy=1 max_reason=85 scope=vm interval_ms=1000 sweep_cpuids=10 clock=CLOCK_MONOTONIC source=guest\n"
		"time_ns,total,cycles,self_cpuid,n1,cyc1,n10,cyc10,n12,cyc12\n");
	for (k = 1; k <= 4; k++) {
		unsigned long long hlt = 1000ULL * (unsigned)k + 800;
		unsigned long long cpuid = 12 + 10ULL * (unsigned)(k - 1);

		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			"%llu,%llu,%llu,%d,0,0,%llu,%llu,%llu,%llu\n",
			1000000000ULL * (unsigned)k,
			hlt + cpuid + (variant == 3 ? 1000000 : 0),
			hlt * 10 + cpuid * 100, k == 1 ? 12 : 10, cpuid,
			cpuid * 100, hlt, hlt * 10);
	}
	write_file(dir, "samples.csv", buf, o);
	write_file(dir, "milestones.csv",
		   MS "userspace,1500000\nsysinit.target,2000000\n"
		   "basic.target,2500000\nmulti-user.target,3000000\n"
		   "finished,3500000\n", strlen(MS "userspace,1500000\nsysinit.target,2000000\n"
		   "basic.target,2500000\nmulti-user.target,3000000\n"
		   "finished,3500000\n"));
}

static const char *merged_profile(const char *name, int variant)
{
	const char *d = profile(name, NULL, 0, NULL);

	merged_files(d, variant);
	return d;
}

static void test_merged(void)
{
	const char *d;
	struct run r;
	char *sum, *pv;

	begin();
	d = merged_profile("merged", 0);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	check_all_outputs(d);
	CHECK(strstr(r.err, "exitprof analyze: alignment: guest time + 100.799500 s = host time, from 6 host rows: median |residual| 0.000 ms, 95th percentile 0.000 ms, max 0.000 ms\n"),
	      "stderr: %s", r.err);
	CHECK(!strstr(r.err, "warning"), "stderr: %s", r.err);
	CHECK_NUM(REASON(d, "12", 4), 5100);
	CHECK_NUM(REASON(d, "10", 4), 10);
	CHECK_NUM(PHASE(d, "firmware", 2), 0);
	CHECK_NUM(PHASE(d, "firmware", 3), 0.7995);
	CHECK_NUM(PHASE(d, "firmware", 5), 799.5);
	CHECK_NUM(PHASE(d, "kernel", 2), 0.7995);
	CHECK_NUM(PHASE(d, "kernel", 3), 2.2995);
	CHECK_NUM(phase_reason(d, "kernel", "HLT", 4), 1500);
	CHECK_NUM(PHASE(d, "multi-user-finished", 3), 4.2995);
	CHECK_NUM(phase_reason(d, "after-boot", "HLT", 4), 800.5);
	CHECK_NUM(phase_reason(d, "after-boot", "CPUID", 4), 10);
	CHECK(isnan(PHASE(d, "before-sampler", 5)), "before-sampler shown");
	/*
	 * Bins of the host's interval_ms=500 from the VM's creation, though
	 * the first interval is 0..0.1 s: 0..0.5 s holds HLT 100 + 400 of the
	 * 0.1..0.6 s interval's 500, 1000/s.
	 */
	CHECK_NUM(dat(d, "timeline.dat", 1, "0.000000", 2), 0.5);
	CHECK_NUM(dat(d, "timeline.dat", 1, "0.000000", 3), 1000);
	CHECK_NUM(dat(d, "timeline.dat", 1, "4.500000", 2), 5.0);
	CHECK(strstr(r.out, "VM creation to the last sample, 0.000..5.100 s, 11 host samples; 42 of the sampler's own CPUID exits taken out\n"),
	      "table: %s", r.out);
	/* to finished at 4.2995 s: HLT at 1000/s, the CPUIDs all after it */
	CHECK(strstr(r.out, "\nBoot: 4300 exits from VM creation to boot finished, 4.300 s (1000.0 exits/s)\n"),
	      "table: %s", r.out);
	CHECK(strstr(r.out, "\nfirmware                  0.000..0.799    800 ms        800  15.65%     1000.0  HLT 800\n"),
	      "phases: %s", r.out);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "- **Alignment**: guest CLOCK_MONOTONIC + 100.799500 s = host CLOCK_MONOTONIC"),
	      "summary: alignment");
	CHECK(sum && strstr(sum, "The kernel started at 0.799 s on the host axis."),
	      "summary: kernel");
	CHECK(sum && strstr(sum, "- **Agreement**: over 3.100..4.600 s (3 checkpoints"),
	      "summary: agreement");
	CHECK(sum && strstr(sum, "| firmware and loader (VM created..kernel) | 0.000..0.799 | 0.799 | 800 | 1000.0 |"),
	      "summary: firmware phase");
	free(sum);
	pv = read_file(d, "plotvars.gp");
	CHECK(pv && strstr(pv, "ep_axis = 'host'\nep_xlabel = 'time since the VM was created (s, host CLOCK_MONOTONIC)'\n"),
	      "plotvars: %s", pv);
	free(pv);
	run_free(&r);
	end("host + guest: offset found, milestones on the host axis, host counts less the sampler's CPUIDs");

	begin();
	d = merged_profile("merged-disagree", 1);
	r = analyze(d, NULL);
	CHECK(r.status == 4, "status %d: %s", r.status, r.err);
	check_all_outputs(d);
	CHECK(strstr(r.err, "exitprof analyze: alignment: guest time + 100.799500 s = host time"),
	      "stderr: %s", r.err);
	CHECK(strstr(r.err, "exitprof analyze: warning: host and guest series disagree beyond FORMAT.md's bound in 1 of 8 comparisons (3 checkpoints, 3.100..4.600 s on the host axis):\n"
			    "exitprof analyze: warning:   3.100..4.100 s: EXTERNAL_INTERRUPT (1): host 3, guest 0, bound 0\n"),
	      "stderr: %s", r.err);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "- **Agreement: host and guest series DISAGREE** beyond the bound of sampler/FORMAT.md in 1 of 8 comparisons over 3.100..4.600 s"),
	      "summary: no disagreement line");
	CHECK(sum && strstr(sum, "  - 3.100..4.100 s (basic-multi-user): `EXTERNAL_INTERRUPT`: host 3, guest 0, bound 0\n"),
	      "summary: where");
	free(sum);
	CHECK(strstr(r.out, "they DISAGREE beyond FORMAT.md's bound"), "table: %s", r.out);
	run_free(&r);
	end("host + guest that disagree: exit 4, the chunk and reason named");

	begin();
	d = merged_profile("merged-nocreated", 2);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	/* the axis from the first host row (100.1 s): the kernel at 0.6995 */
	CHECK_NUM(PHASE(d, "kernel", 2), 0.6995);
	CHECK_NUM(PHASE(d, "before-sampler", 5), 100);
	CHECK(isnan(PHASE(d, "firmware", 5)), "firmware formed");
	CHECK(strstr(r.err, "phase firmware could not be formed: the host series does not say when the VM was created (no created_ns)"),
	      "stderr: %s", r.err);
	CHECK_NUM(REASON(d, "12", 4), 5100);
	run_free(&r);
	end("host + guest without created_ns: the axis from the first host row");

	begin();
	d = merged_profile("merged-tail", 4);
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "12", 4), 4800);
	CHECK_NUM(REASON(d, "10", 4), 0);
	CHECK_NUM(dat(d, "intervals.dat", 1, "3.100000", 2), 3.7995);
	CHECK_NUM(dat(d, "intervals.dat", 1, "3.100000", 4), 1000.715);	/* 700 in 0.6995 s */
	CHECK_NUM(PHASE(d, "after-boot", 3), 4.7995);
	CHECK(strstr(r.err, "note: the host series ends 1.700 s before the guest's: the last 2 intervals (3.100..4.800 s) are counted from the guest's rows"),
	      "stderr: %s", r.err);
	run_free(&r);
	end("host series ending before the guest's: the tail from the guest's rows");

	begin();
	d = merged_profile("host-only", 0);
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/samples.csv", d);
		unlink(p);
	}
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	check_all_outputs(d);
	CHECK_NUM(REASON(d, "12", 4), 5100);
	CHECK_NUM(REASON(d, "10", 4), 52);	/* no guest: nothing to take out */
	CHECK_NUM(PHASE(d, "unattributed", 5), 5152);
	CHECK(strstr(r.err, "note: milestones.csv not used: without a guest series its clock cannot be placed on the host's"),
	      "stderr: %s", r.err);
	CHECK(!strstr(r.err, "alignment"), "stderr: %s", r.err);
	CHECK(strstr(r.out, "\nBoot: no total: a host-only profile cannot place the guest's milestones.\n"),
	      "table: %s", r.out);
	run_free(&r);
	end("host-only profile");

	/* exitprof record -o DIR/samples.csv: source=host says what it is */
	begin();
	d = merged_profile("host-only-as-samples", 0);
	{
		char from[PATH_MAX], to[PATH_MAX];

		snprintf(from, sizeof(from), "%s/host-samples.csv", d);
		snprintf(to, sizeof(to), "%s/samples.csv", d);
		CHECK(!rename(from, to), "rename %s", from);
	}
	r = analyze(d, NULL);
	CHECK(r.status == 0, "status %d: %s", r.status, r.err);
	CHECK_NUM(REASON(d, "12", 4), 5100);
	CHECK_NUM(REASON(d, "10", 4), 52);
	CHECK(strstr(r.out, "VM creation to the last sample, 0.000..5.100 s, 11 host samples;"),
	      "table: %s", r.out);
	sum = read_file(d, "summary.md");
	CHECK(sum && strstr(sum, "- Host series `samples.csv` (VM 4711-12): 11 rows;"),
	      "summary");
	free(sum);
	run_free(&r);
	end("host-only profile: a lone samples.csv with source=host");
}

/* Series that cannot be merged: exit 1, one message, nothing written. */
static void test_merged_bad(void)
{
	static const struct { const char *what, *from, *to, *file, *msg; } b[] = {
		{ "host file without source=host", "source=host", "source=guest",
		  "host-samples.csv",
		  "host-samples.csv:2: not a host series (no source=host): host-samples.csv is the file of exitprof record" },
		{ "guest file of another taxonomy", "taxonomy=1 max_reason=85 scope=vm interval_ms=1000",
		  "taxonomy=2 max_reason=1027 scope=vm interval_ms=1000", "samples.csv",
		  NULL },
		{ "guest file with scope=host", "scope=vm interval_ms=1000", "scope=host interval_ms=1000",
		  "samples.csv",
		  "samples.csv:2: scope=host sums every VM: it cannot be merged with the host's per-VM series" },
		{ "guest series of another VM", NULL, NULL, "samples.csv", NULL },
		{ "host series: a count delta too large to be a wrap",
		  "100600000000,600,6000,0,0,0,0,0,600,", "100600000000,600,6000,0,0,0,0,0,99,",
		  "host-samples.csv",
		  "host-samples.csv:5: column 9 (n12): 99 after the previous row's 100 (line 4) is a delta of 4294967295 (mod 2^32), more than 2^31 in one interval: too large to be a wrap" },
	};
	char name[64], path[PATH_MAX], want[1024];
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		const char *d;
		char *text, *at, *nt;
		struct run r;

		begin();
		snprintf(name, sizeof(name), "merged-bad-%zu", i);
		d = merged_profile(name, b[i].from ? 0 : 3);
		text = read_file(d, b[i].file);
		at = b[i].from ? strstr(text, b[i].from) : text;
		CHECK(at != NULL, "fixture has no %s", b[i].from);
		if (!at) {
			free(text);
			end(b[i].what);
			continue;
		}
		nt = malloc(strlen(text) + (b[i].to ? strlen(b[i].to) : 0) + 1);
		memcpy(nt, text, (size_t)(at - text));
		strcpy(nt + (at - text), b[i].to ? b[i].to : "");
		strcat(nt, at + (b[i].from ? strlen(b[i].from) : 0));
		snprintf(path, sizeof(path), "%s/%s", d, b[i].file);
		unlink(path);
		write_file(d, b[i].file, nt, strlen(nt));
		free(text);
		free(nt);
		r = analyze(d, NULL);
		CHECK(r.status == 1, "status %d: %s", r.status, r.err);
		if (b[i].msg) {
			snprintf(want, sizeof(want), "%s/%s\n", d, b[i].msg);
			CHECK(!strcmp(r.err, want), "stderr\n      got:  %s      want: %s",
			      r.err, want);
		} else if (i == 1) {
			/* the AMD table has no code 1 or 12: the header says so first */
			CHECK(strstr(r.err, "samples.csv:") != NULL, "stderr: %s", r.err);
		} else {
			snprintf(want, sizeof(want), "exitprof analyze: %s/samples.csv and %s/host-samples.csv: cannot align: the guest's totals (1001812..1004842) never meet the host's (100..5152): not the same VM?\n",
				 d, d);
			CHECK(!strcmp(r.err, want), "stderr\n      got:  %s      want: %s",
			      r.err, want);
		}
		CHECK(!r.out[0], "stdout: %s", r.out);
		check_only_inputs(d);
		run_free(&r);
		end(b[i].what);
	}
}

static void test_bad_input(void)
{
	char name[64], want[1024], out[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *d;
		struct run r;

		begin();
		snprintf(name, sizeof(name), "bad-%zu", i);
		d = profile(name, bad[i].samples, 0, bad[i].milestones);
		r = analyze(d, NULL);
		snprintf(want, sizeof(want), "%s/%s\n", d, bad[i].msg);
		CHECK(r.status == 1, "status %d", r.status);
		CHECK(!strcmp(r.err, want), "stderr\n      got:  %s      want: %s",
		      r.err, want);
		CHECK(!r.out[0], "stdout: %s", r.out);
		check_only_inputs(d);
		run_free(&r);
		/* the same into a new -o directory: it must not stay behind */
		snprintf(out, sizeof(out), "%s/%s-out", root, name);
		r = analyze("-o", out, d, NULL);
		CHECK(r.status == 1 && !exists(out, ""), "-o %s left behind", out);
		run_free(&r);
		snprintf(name, sizeof(name), "bad input: %s", bad[i].what);
		end(name);
	}
}

/* Bytes a C string cannot hold, and a line beyond the length limit. */
static void test_bad_bytes(void)
{
	static const char nul[] = SH SC "1000000000,1\0,100,0,5,50,5,50\n";
	const size_t big = 70000;
	char want[1024], *s;
	const char *d;
	struct run r;

	begin();
	d = profile("bad-nul", nul, sizeof(nul) - 1, MS);
	r = analyze(d, NULL);
	snprintf(want, sizeof(want), "%s/samples.csv:4: column 2 (total): not a number: \"1\\x00\"\n", d);
	CHECK(r.status == 1 && !strcmp(r.err, want), "got %d %s", r.status, r.err);
	check_only_inputs(d);
	run_free(&r);
	end("bad input: a NUL byte in a field");

	begin();
	s = malloc(strlen(SH SC R1) + big + 2);
	strcpy(s, SH SC R1);
	memset(s + strlen(s), '1', big);
	strcpy(s + strlen(SH SC R1) + big, "\n");
	d = profile("bad-long", s, 0, MS);
	free(s);
	r = analyze(d, NULL);
	snprintf(want, sizeof(want), "%s/samples.csv:5: line longer than 65536 bytes: not a profile line\n", d);
	CHECK(r.status == 1 && !strcmp(r.err, want), "got %d %s", r.status, r.err);
	check_only_inputs(d);
	run_free(&r);
	end("bad input: a line too long for a profile");

	begin();
	d = profile("bad-nofile", NULL, 0, MS);
	r = analyze(d, NULL);
	snprintf(want, sizeof(want), "exitprof analyze: %s/samples.csv: cannot open: No such file or directory\n", d);
	CHECK(r.status == 1 && !strcmp(r.err, want), "got %d %s", r.status, r.err);
	check_only_inputs(d);
	run_free(&r);
	end("bad input: no samples.csv");
}

static void test_usage(void)
{
	char blocker[PATH_MAX];
	const char *d;
	struct run r;

	begin();
	r = analyze(NULL);
	CHECK(r.status == 2 && strstr(r.err, "no PROFILE_DIR"), "none: %d %s",
	      r.status, r.err);
	run_free(&r);
	r = analyze("--bogus", "x", NULL);
	CHECK(r.status == 2 && !strcmp(r.err, "exitprof analyze: unrecognized option '--bogus'\n"
				       "try 'exitprof analyze --help'\n"),
	      "bogus: %d %s", r.status, r.err);
	run_free(&r);
	r = analyze("a", "b", NULL);
	CHECK(r.status == 2 && !strcmp(r.err, "exitprof analyze: one PROFILE_DIR only ('a' and 'b')\n"
				       "try 'exitprof analyze --help'\n"),
	      "two: %d %s", r.status, r.err);
	run_free(&r);
	r = analyze("-o", NULL);
	CHECK(r.status == 2 && strstr(r.err, "option requires an argument -- 'o'\ntry 'exitprof analyze --help'\n"),
	      "-o: %d %s", r.status, r.err);
	run_free(&r);
	r = analyze("-n", "-o", "x", "y", NULL);
	CHECK(r.status == 2 && strstr(r.err, "--no-files writes nothing"),
	      "-n -o: %d %s", r.status, r.err);
	run_free(&r);
	r = analyze("--", "-n", NULL);	/* a directory named -n */
	CHECK(r.status == 1 && strstr(r.err, "-n/samples.csv: cannot open"),
	      "--: %d %s", r.status, r.err);
	run_free(&r);
	r = analyze("--help", NULL);
	CHECK(r.status == 0 && strstr(r.out, "usage: exitprof analyze"),
	      "help: %d", r.status);
	run_free(&r);
	end("usage errors exit 2, --help exits 0");

	/* results that cannot be written: exit 3, nothing left */
	begin();
	d = fixture("split", "unwritable");
	snprintf(blocker, sizeof(blocker), "%s/blocker", root);
	write_file(root, "blocker", "", 0);
	r = analyze("-o", blocker, d, NULL);
	CHECK(r.status == 3 && strstr(r.err, "cannot write"), "got %d %s",
	      r.status, r.err);
	check_only_inputs(d);
	run_free(&r);
	end("an output directory that cannot be written: exit 3");
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	if (argc > 1 && !strcmp(argv[1], "--analyze"))
		return exitprof_analyze(argc - 1, argv + 1);
	if (argc != 2) {
		fprintf(stderr, "usage: test_analysis FIXTURES_DIR | --analyze ARGS...\n");
		return 2;
	}
	fixtures = argv[1];
	snprintf(root, sizeof(root), "%s/exitprof-test-analysis.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror(root);
		return 2;
	}
	test_wrap();
	test_self();
	test_split();
	test_single();
	test_missing_milestones();
	test_amd();
	test_host_scope();
	test_truncated_accepted();
	test_outdir();
	test_merged();
	test_merged_bad();
	test_bad_input();
	test_bad_bytes();
	test_usage();
	printf("test_analysis: %u passed, %u failed\n", passed, failed);
	if (!failed) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", root);
	} else {
		printf("scratch files kept in %s\n", root);
	}
	return failed ? 1 : 0;
}

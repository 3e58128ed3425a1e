// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sampler (sampler/sample.c) against a fake CPUID backend that answers
 * through the kernel's own leaf dispatch, and a fake clock where every CPUID
 * costs a fixed time.  Checks scheduling without drift, 32-bit wrap passing
 * through, self-CPUID counting, the CSV header and rows, persistence, the
 * stop after boot, SIGTERM flush, write errors and absent leaves; that a
 * sweep reads only the cycles that can have moved and still loses none
 * when KVM shows an exit's count before its cycles; and the initrd -> root
 * file system handoff: one series, no gap, no repeated row.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sample.h"
#include "fake_kvm.h"

#define MS 1000000ULL
#define WRAP_START (0xffffff00ULL - 1000)	/* wraps 256 ms into a run */

static bool enabled[KVM_EXIT_STATS_MAX_CODE + 1];
static u64 counts[256], cycles[256];
static uint64_t fake_time, cpuid_cost = 10000, boot_done_at = UINT64_MAX;
static uint64_t stop_at = UINT64_MAX;

/*
 * Reason 30 (I/O) when slow.every is set: an exit every slow.every ns from
 * fake time 1 s, counted at once, its slow.cycles added slow.lag ns later,
 * as KVM does for an exit still being handled (on another vCPU).
 */
static struct { uint64_t every, lag, cycles; } slow;

static u64 slow_exits(uint64_t at)
{
	return at < 1000 * MS ? 0 : (at - 1000 * MS) / slow.every + 1;
}

/* Cycles of reason 30 that KVM has added by fake time @at. */
static u64 slow_done(uint64_t at)
{
	return at < slow.lag ? 0 : slow_exits(at - slow.lag) * slow.cycles;
}

/* Reason 1 ticks once per fake millisecond, like a timer interrupt. */
static void fake_sum(void *ctx, u32 slot, u64 *c, u64 *t)
{
	u32 s;

	(void)ctx;
	counts[1] = WRAP_START + fake_time / MS;
	cycles[1] = counts[1] * 1000;
	if (slow.every) {
		counts[30] = slow_exits(fake_time);
		cycles[30] = slow_done(fake_time);
	}
	for (s = 0; s < 256; s++)
		if (slot == KVM_EXIT_STATS_ALL || slot == s) {
			*c += counts[s];
			*t += cycles[s];
		}
}

static void fake_kvm(uint32_t leaf, uint32_t sub, struct ep_regs *r)
{
	fake_time += cpuid_cost;
	counts[10]++;		/* the asking CPUID exit, counted first */
	cycles[10] += 500;
	fake_kvm_answer(enabled, fake_sum, leaf, sub, r);
}

static uint64_t fake_now(void)
{
	return fake_time;
}

/* A SIGTERM at fake time stop_at ends the sleep it falls in. */
static void fake_sleep_until(uint64_t t)
{
	if (t >= stop_at && !ep_stop_requested) {
		fake_time = stop_at > fake_time ? stop_at : fake_time;
		ep_stop_requested = 1;
		return;
	}
	if (t > fake_time)
		fake_time = t;
}

static bool fake_boot_finished(void)
{
	return fake_time >= boot_done_at;
}

static int fake_milestones(struct ep_milestone *m, int max)
{
	static const struct ep_milestone ms[] = {
		{ "kernel", 0 }, { "userspace", 500000 },
		{ "sysinit.target", 700000 }, { "basic.target", 800000 },
		{ "multi-user.target", 900000 }, { "finished", 950000 },
	};
	int i;

	for (i = 0; i < 6 && i < max; i++)
		m[i] = ms[i];
	return i;
}

static const struct ep_env fake_env = {
	.now = fake_now,
	.sleep_until = fake_sleep_until,
	.boot_finished = fake_boot_finished,
	.milestones = fake_milestones,
};

/* A samples.csv read back: metadata and up to 100000 rows of key columns. */
struct csv {
	char magic[64], meta[256];
	int ncols, nrows, bad_rows;
	uint64_t t[100000], self[100000], cyc30[100000];
	uint32_t total[100000], n1[100000], n10[100000];
	bool last_line_complete;
};

static struct csv csv;

static int col_index(const char *header, const char *name)
{
	char buf[8192], *tok, *save;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", header);
	for (tok = strtok_r(buf, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save), i++)
		if (!strcmp(tok, name))
			return i;
	return -1;
}

static void read_csv(const char *path)
{
	static char line[8192], header[8192];
	int c1, c10, c30, i;
	FILE *f = fopen(path, "r");

	memset(&csv, 0, sizeof(csv));
	if (!f)
		return;
	if (!fgets(csv.magic, sizeof(csv.magic), f) ||
	    !fgets(csv.meta, sizeof(csv.meta), f) ||
	    !fgets(header, sizeof(header), f)) {
		fclose(f);
		return;
	}
	for (i = 0, csv.ncols = 1; header[i]; i++)
		csv.ncols += header[i] == ',';
	c1 = col_index(header, "n1");
	c10 = col_index(header, "n10");
	c30 = col_index(header, "cyc30");
	csv.last_line_complete = true;
	while (fgets(line, sizeof(line), f) && csv.nrows < 100000) {
		char *tok, *save;
		int n = csv.nrows, col = 0;

		csv.last_line_complete = strchr(line, '\n') != NULL;
		for (tok = strtok_r(line, ",\n", &save); tok;
		     tok = strtok_r(NULL, ",\n", &save), col++) {
			uint64_t v = strtoull(tok, NULL, 10);

			if (col == 0)
				csv.t[n] = v;
			else if (col == 1)
				csv.total[n] = (uint32_t)v;
			else if (col == 3)
				csv.self[n] = v;
			if (col == c1)
				csv.n1[n] = (uint32_t)v;
			if (col == c10)
				csv.n10[n] = (uint32_t)v;
			if (col == c30)
				csv.cyc30[n] = v;
		}
		if (col != csv.ncols)
			csv.bad_rows++;
		csv.nrows++;
	}
	fclose(f);
}

static void reset(void)
{
	memset(counts, 0, sizeof(counts));
	memset(cycles, 0, sizeof(cycles));
	fake_time = 1000 * MS;	/* monotonic clock starts at boot, not 0 */
	cpuid_cost = 10000;
	boot_done_at = UINT64_MAX;
	stop_at = UINT64_MAX;
	memset(&slow, 0, sizeof(slow));
	ep_stop_requested = 0;
	ep_cpuid = fake_kvm;
	ep_cpuid_count = 0;
}

static char tmpdir[] = "/tmp/exitprof-test-sample.XXXXXX";

static struct ep_sample_opts opts(const char *run, const char *persist)
{
	static char r[256], p[256];
	struct ep_sample_opts o = { .interval_ms = 10, .after_boot_s = 2 };

	snprintf(r, sizeof(r), "%s/%s", tmpdir, run);
	o.run_dir = r;
	if (persist) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, persist);
		o.persist_dir = p;
	}
	return o;
}

static void test_next_tick(void)
{
	CHECK(ep_next_tick(100, 10, 100) == 110, "on a tick");
	CHECK(ep_next_tick(100, 10, 105) == 110, "between ticks");
	CHECK(ep_next_tick(100, 10, 137) == 140, "missed ticks are skipped");
	CHECK(ep_next_tick(5, 3, 5 + 3 * 1000000) == 5 + 3 * 1000001,
	      "far from the start, still on the grid");
}

static void test_schedule_and_columns(void)
{
	struct ep_sample_opts o = opts("sched", NULL);
	char path[256];
	uint64_t start;
	int i, offgrid = 0, selfbad = 0, n10bad = 0, wrapped = 0;

	reset();
	o.max_rows = 400;	/* 4 s: reason 1 wraps after ~0.26 s */
	CHECK(ep_sample_run(&o, &fake_env) == 0, "run");
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	read_csv(path);
	CHECK(!strcmp(csv.magic, "# exitprof-samples v1\n"), "magic: %s", csv.magic);
	CHECK(strstr(csv.meta, "taxonomy=1 max_reason=85 scope=vm interval_ms=10 sweep_cpuids=162 clock=CLOCK_MONOTONIC source=guest\n"),
	      "metadata: %s", csv.meta);
	CHECK(csv.ncols == 4 + 2 * 80, "%d columns", csv.ncols);
	CHECK(csv.nrows == 400 && !csv.bad_rows && csv.last_line_complete,
	      "%d rows, %d malformed", csv.nrows, csv.bad_rows);
	start = csv.t[0];
	for (i = 0; i < csv.nrows; i++) {
		/* absolute sleeps: every sample exactly on the grid */
		if (csv.t[i] != start + (uint64_t)i * 10 * MS)
			offgrid++;
		/* after the first, full sweep: every count, cycles of 1 and 10 */
		if (i > 1 && csv.self[i] != 84)
			selfbad++;
		/* CPUID exits between rows are exactly the sampler's own */
		if (i && (uint32_t)(csv.n10[i] - csv.n10[i - 1]) != csv.self[i])
			n10bad++;
		if (i && csv.n1[i] < csv.n1[i - 1])
			wrapped++;
	}
	CHECK(!offgrid, "%d samples off the 10 ms grid (no drift expected)", offgrid);
	CHECK(csv.self[0] == 2, "first row self_cpuid = the probe's 2: %" PRIu64, csv.self[0]);
	CHECK(csv.self[1] == 162, "the first sweep reads all cycles: %" PRIu64, csv.self[1]);
	CHECK(!selfbad, "%d rows whose self_cpuid is not one sweep (84)", selfbad);
	CHECK(!n10bad, "%d rows where reason 10's delta != self_cpuid", n10bad);
	CHECK(wrapped == 1, "reason 1 passes through the 32-bit wrap once: %d", wrapped);
	CHECK((uint32_t)(csv.n1[csv.nrows - 1] - csv.n1[0]) == 3990,
	      "delta mod 2^32 across the wrap: %u", csv.n1[csv.nrows - 1] - csv.n1[0]);
}

static void test_overrun(void)
{
	struct ep_sample_opts o = opts("overrun", NULL);
	char path[256];
	int i, bad = 0;

	reset();
	cpuid_cost = 200000;	/* a sweep takes 16.8 ms, longer than 10 ms */
	o.max_rows = 50;
	CHECK(ep_sample_run(&o, &fake_env) == 0, "run");
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	read_csv(path);
	/* the first, full sweep (162 CPUIDs) takes 32.4 ms */
	CHECK(csv.t[1] - csv.t[0] == 40 * MS, "first interval %" PRIu64,
	      csv.t[1] - csv.t[0]);
	for (i = 2; i < csv.nrows; i++)
		if (csv.t[i] - csv.t[i - 1] != 20 * MS)
			bad++;
	CHECK(csv.nrows == 50 && !bad,
	      "overrun skips to the next grid tick, no catch-up burst: %d bad", bad);
}

static void test_persist_and_boot_end(void)
{
	struct ep_sample_opts o = opts("run", "var/lib/exitprof/boot");
	char path[256], ms[512];
	struct stat st;
	FILE *f;

	reset();
	boot_done_at = fake_time + 1500 * MS;
	CHECK(ep_sample_run(&o, &fake_env) == 0, "run");
	snprintf(path, sizeof(path), "%s/samples.csv", o.persist_dir);
	read_csv(path);
	/* boot done 1.5 s in, seen within a second, then 2 s more */
	CHECK(csv.nrows >= 350 && csv.nrows <= 460 && !csv.bad_rows,
	      "stops after boot + 2 s: %d rows", csv.nrows);
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	CHECK(stat(path, &st) && errno == ENOENT, "moved out of the run dir");
	snprintf(path, sizeof(path), "%s/samples.csv.persisted-to", o.run_dir);
	CHECK(!stat(path, &st), "a note says where it went");
	snprintf(path, sizeof(path), "%s/milestones.csv", o.persist_dir);
	f = fopen(path, "r");
	memset(ms, 0, sizeof(ms));
	if (f) {
		size_t n = fread(ms, 1, sizeof(ms) - 1, f);

		ms[n] = 0;
		fclose(f);
	}
	CHECK(!strcmp(ms, "# exitprof-milestones v1\nmilestone,time_us\nkernel,0\nuserspace,500000\nsysinit.target,700000\nbasic.target,800000\nmulti-user.target,900000\nfinished,950000\n"),
	      "milestones.csv: %s", ms);
}

static void test_absent(void)
{
	struct ep_sample_opts o = opts("absent", NULL);
	char path[256];
	struct stat st;

	reset();
	ep_cpuid = stock_kvm;
	CHECK(ep_sample_run(&o, &fake_env) == 0, "absent leaves: exit 0");
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	CHECK(stat(path, &st) && errno == ENOENT, "and no file");
}

static void test_write_error(void)
{
	struct ep_sample_opts o = opts("full", NULL);
	char path[256];

	reset();
	mkdir(o.run_dir, 0755);
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	CHECK(!symlink("/dev/full", path), "symlink");
	o.max_rows = 5;
	CHECK(ep_sample_run(&o, &fake_env) == 1, "write error reported: exit 1");
}

static void real_clock_sleep(uint64_t ns)
{
	ep_real_env.sleep_until(ns);
}

static void test_sigterm(void)
{
	struct ep_sample_opts o = opts("term", NULL);
	struct ep_env env = ep_real_env;
	char path[256];
	int status = -1;
	pid_t pid;

	reset();
	env.sleep_until = real_clock_sleep;
	env.boot_finished = fake_boot_finished;
	env.milestones = fake_milestones;
	o.interval_ms = 5;
	o.follow = true;
	fflush(NULL);
	pid = fork();
	if (!pid)
		_exit(ep_sample_run(&o, &env));
	usleep(300000);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "SIGTERM: clean exit (status %d)", status);
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	read_csv(path);
	CHECK(csv.nrows >= 10 && !csv.bad_rows && csv.last_line_complete,
	      "SIGTERM flushes whole rows: %d rows, %d bad", csv.nrows,
	      csv.bad_rows);
	snprintf(path, sizeof(path), "%s/milestones.csv", o.run_dir);
	CHECK(!access(path, R_OK), "and writes the milestones");
}

/* Rows whose reason-30 cycles miss some that KVM had added at the row's start. */
static int stale_rows(void)
{
	int i, n = 0;

	for (i = 0; i < csv.nrows; i++)
		if (csv.cyc30[i] < slow_done(csv.t[i]))
			n++;
	return n;
}

static void test_lazy_cycles(void)
{
	struct ep_sample_opts o = opts("lazy", NULL);
	char path[256];
	int i, odd = 0, with30 = 0;

	reset();
	slow.every = 37 * MS;	/* seen in one sweep, done before the next */
	slow.lag = 5 * MS;
	slow.cycles = 100000;
	o.max_rows = 400;
	CHECK(ep_sample_run(&o, &fake_env) == 0, "run");
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	read_csv(path);
	for (i = 2; i < csv.nrows; i++) {
		/* 84, or 85 with reason 30's cycles: moved now or the sweep before */
		if (csv.self[i] == 85)
			with30++;
		else if (csv.self[i] != 84)
			odd++;
	}
	CHECK(!odd && with30 > 150 && with30 < 250,
	      "sweeps read only moving reasons' cycles: %d with 30, %d odd", with30, odd);
	CHECK(!stale_rows(), "%d rows miss cycles KVM had added (count seen first, cycles later)",
	      stale_rows());

	/* handling that outlasts two intervals: the totals' check reads them */
	reset();
	slow.every = 97 * MS;
	slow.lag = 25 * MS;
	slow.cycles = 10000000;
	o = opts("lazy-late", NULL);
	o.max_rows = 400;
	CHECK(ep_sample_run(&o, &fake_env) == 0, "run");
	snprintf(path, sizeof(path), "%s/samples.csv", o.run_dir);
	read_csv(path);
	CHECK(!stale_rows(), "%d rows miss cycles added more than an interval late",
	      stale_rows());
	CHECK(csv.cyc30[csv.nrows - 1] == slow_done(csv.t[csv.nrows - 1]) ||
	      csv.cyc30[csv.nrows - 1] > slow_done(csv.t[csv.nrows - 1]),
	      "the last row has every cycle");
}

/*
 * The initrd's instance samples until SIGTERM (before switch-root), the
 * root file system's, a new process 700 ms later, continues its file.
 */
static void run_initrd_then_root(struct ep_sample_opts *in, struct ep_sample_opts *root)
{
	reset();
	slow.every = 37 * MS;
	slow.lag = 5 * MS;
	slow.cycles = 100000;
	in->initrd = true;
	stop_at = fake_time + 1234 * MS + 567;
	CHECK(ep_sample_run(in, &fake_env) == 0, "the initrd's instance");
	stop_at = UINT64_MAX;
	ep_stop_requested = 0;
	ep_cpuid_count = 0;	/* a new process */
	fake_time += 700 * MS;	/* switch-root, root systemd starting */
	boot_done_at = fake_time + 1000 * MS;
	CHECK(ep_sample_run(root, &fake_env) == 0, "the root file system's instance");
}

static void test_handoff(void)
{
	struct ep_sample_opts in = opts("handoff", NULL);
	struct ep_sample_opts root = opts("handoff", "var/lib/handoff");
	uint64_t t0, stop;
	int i, long_gaps = 0, offgrid = 0, n10bad = 0, hand = -1;
	char path[256];
	struct stat st;

	run_initrd_then_root(&in, &root);
	stop = 1000 * MS + 1234 * MS + 567;
	snprintf(path, sizeof(path), "%s/samples.csv", root.persist_dir);
	read_csv(path);
	CHECK(csv.nrows > 300 && !csv.bad_rows && csv.last_line_complete,
	      "one file, one header: %d rows, %d malformed", csv.nrows, csv.bad_rows);
	t0 = csv.t[0];
	for (i = 1; i < csv.nrows; i++) {
		if (csv.t[i] <= csv.t[i - 1])
			hand = -2;	/* a repeated or reordered row */
		else if (csv.t[i] - csv.t[i - 1] > 10 * MS) {
			long_gaps++;
			hand = i;
		}
		if ((uint32_t)(csv.n10[i] - csv.n10[i - 1]) != csv.self[i])
			n10bad++;
	}
	CHECK(hand > 0 && long_gaps == 1, "time strictly increasing, one long interval (switch-root): %d, at row %d",
	      long_gaps, hand);
	if (hand > 0) {
		CHECK(csv.t[hand - 1] == stop, "the initrd's last row is at its SIGTERM: %" PRIu64,
		      csv.t[hand - 1]);
		/* its last sweep, the 700 ms, the new process's probe */
		CHECK(csv.t[hand] - stop < 701 * MS, "the root's first row comes at its start: %" PRIu64 " ns after",
		      csv.t[hand] - stop);
		CHECK(csv.self[hand] == 85 + 2 || csv.self[hand] == 84 + 2,
		      "the handoff row counts the initrd's last sweep and the probe: %" PRIu64,
		      csv.self[hand]);
		for (i = hand + 1; i < csv.nrows; i++)
			if ((csv.t[i] - t0) % (10 * MS))
				offgrid++;
		CHECK(!offgrid, "%d root rows off the initrd's grid", offgrid);
	}
	CHECK(!n10bad, "%d rows where the CPUID delta is not the self_cpuid", n10bad);
	CHECK(!stale_rows(), "%d rows miss cycles across the handoff", stale_rows());
	snprintf(path, sizeof(path), "%s/samples.csv.handoff", in.run_dir);
	CHECK(stat(path, &st) && errno == ENOENT, "the handoff note is used up");
	snprintf(path, sizeof(path), "%s/milestones.csv", root.persist_dir);
	CHECK(!access(path, R_OK), "the root's instance writes the milestones");

	/* the initrd's instance ends by itself (--rows) */
	in = opts("rows", NULL);
	root = opts("rows", NULL);
	root.max_rows = 5;
	in.max_rows = 20;
	run_initrd_then_root(&in, &root);
	snprintf(path, sizeof(path), "%s/samples.csv", in.run_dir);
	read_csv(path);
	CHECK(csv.nrows == 25 && !csv.bad_rows, "%d rows", csv.nrows);
	CHECK(csv.self[20] == 84 + 2 || csv.self[20] == 85 + 2,
	      "a stop after --rows leaves its note too: %" PRIu64, csv.self[20]);
	/* killed in the initrd mid-row, without its note */
	in.max_rows = 20;
	root.max_rows = 5;
	{
		char note[300];
		FILE *f;

		reset();
		in.initrd = true;
		in.run_dir = opts("torn", NULL).run_dir;
		root.run_dir = in.run_dir;
		CHECK(ep_sample_run(&in, &fake_env) == 0, "initrd");
		snprintf(note, sizeof(note), "%s/samples.csv.handoff", in.run_dir);
		unlink(note);
		snprintf(path, sizeof(path), "%s/samples.csv", in.run_dir);
		f = fopen(path, "a");
		if (f) {
			fputs("1234,56", f);
			fclose(f);
		}
		ep_cpuid_count = 0;
		fake_time += 700 * MS;
		CHECK(ep_sample_run(&root, &fake_env) == 0, "root");
		read_csv(path);
		CHECK(csv.nrows == 25 && !csv.bad_rows && csv.t[20] > csv.t[19],
		      "the torn row is cut off: %d rows, %d malformed", csv.nrows, csv.bad_rows);
		CHECK(csv.self[20] == 162 + 2, "without the note a full sweep is counted: %" PRIu64,
		      csv.self[20]);
	}

	/* other settings: no mixing of two series */
	in = opts("other", NULL);
	root = opts("other", NULL);
	in.max_rows = 10;
	root.max_rows = 10;
	root.interval_ms = 20;
	run_initrd_then_root(&in, &root);
	snprintf(path, sizeof(path), "%s/samples.csv", in.run_dir);
	read_csv(path);
	CHECK(csv.nrows == 10 && strstr(csv.meta, "interval_ms=20 "), "a new series: %d rows", csv.nrows);
	snprintf(path, sizeof(path), "%s/samples-initrd.csv", in.run_dir);
	read_csv(path);
	CHECK(csv.nrows == 10 && strstr(csv.meta, "interval_ms=10 "), "the initrd's kept aside: %d rows", csv.nrows);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	enabled[1] = enabled[10] = enabled[30] = true;
	test_next_tick();
	test_schedule_and_columns();
	test_overrun();
	test_persist_and_boot_end();
	test_absent();
	test_write_error();
	test_sigterm();
	test_lazy_cycles();
	test_handoff();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}

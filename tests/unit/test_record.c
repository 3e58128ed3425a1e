// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof record (sampler/record.c) against a fake kvm debugfs tree in a
 * temporary directory, its exit_stats files generated in the format of the
 * kernel's exit_stats_show() from the same reason tables.  Each run is a
 * child process with its stderr captured.  A fake clock advances only when
 * the recorder sleeps, and then the "world" of the test acts (counts move,
 * VMs appear and go away), so every row's time and values are known.
 * Checks: rows on the absolute grid, overruns skip ticks, 64-bit counts
 * written as their low 32 bits, the guest's column layout, --next from the
 * VM's creation, a VM that goes away or is replaced mid-run, SIGTERM, and
 * every error: no debugfs, no such pid, several VMs of a pid, no such
 * directory, no exit_stats, not root, unwritable output, malformed content,
 * usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "record.h"

#define MS ((uint64_t)1000000)
#define T0 ((uint64_t)5000 * 1000 * MS)		/* the fake clock's start */
#define FIRST_EXIT (5 * MS)		/* a VM's first exit, after its creation */
#define WRAP_BASE ((1ULL << 32) - 510)	/* vm_a's reason 1 passes 2^32 at T0 + 250 ms */

static char tmp[] = "/tmp/exitprof-test-record.XXXXXX";
static char kvm[300];		/* the fake DEBUGFS */

/* ---- the fake VMs ---- */

struct vm {
	char name[32];
	uint32_t tax;
	uint64_t born;		/* fake time of KVM_CREATE_VM */
	bool wrap;		/* reason 1 starts at WRAP_BASE */
};

static void path_of(char *p, size_t n, const char *name, const char *file)
{
	snprintf(p, n, "%s/%s%s%s", kvm, name, file ? "/" : "", file ? file : "");
}

/* At @t, reason c has exited (c % 7 + 1) times a ms since the first exit. */
static uint64_t count_of(const struct vm *v, uint32_t c, uint64_t t)
{
	uint64_t base = v->wrap && c == 1 ? WRAP_BASE : 0;

	if (t < v->born + FIRST_EXIT)
		return base;
	return base + (t - v->born - FIRST_EXIT) / MS * (c % 7 + 1);
}

static uint64_t cycles_of(const struct vm *v, uint32_t c, uint64_t t)
{
	return (count_of(v, c, t) & 0xffffffff) * 3000 + (count_of(v, c, t) >> 32);
}

/* exit_stats as exit_stats_show() writes it; @bad replaces reason 12's line. */
static void vm_write(const struct vm *v, uint64_t now, const char *bad)
{
	const char *name;
	uint64_t total = 0, cyc = 0;
	char p[400];
	uint32_t c;
	FILE *f;

	path_of(p, sizeof(p), v->name, "exit_stats");
	f = fopen(p, "w");	/* in place: the inode stays that of the VM */
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs("# reason name count cycles enabled\n", f);
	for (c = 0; c <= KVM_EXIT_STATS_MAX_CODE; c++) {
		name = ep_reason_name(v->tax, c);
		if (!name)
			continue;
		if (bad && c == 12) {
			fprintf(f, "%s\n", bad);
			continue;
		}
		fprintf(f, "%u %s %" PRIu64 " %" PRIu64 " %s\n", c, name,
			count_of(v, c, now), cycles_of(v, c, now),
			c % 3 ? "enabled" : "disabled");
		total += count_of(v, c, now);
		cyc += cycles_of(v, c, now);
	}
	fprintf(f, "total - %" PRIu64 " %" PRIu64 " -\n", total, cyc);
	fclose(f);
}

static void vm_mkdir(const struct vm *v)
{
	char p[400];

	path_of(p, sizeof(p), v->name, NULL);
	mkdir(p, 0755);
}

static void vm_create(const struct vm *v, uint64_t now)
{
	vm_mkdir(v);
	vm_write(v, now, NULL);
}

static void vm_remove(const struct vm *v)
{
	char p[400];

	path_of(p, sizeof(p), v->name, "exit_stats");
	unlink(p);
	path_of(p, sizeof(p), v->name, NULL);
	rmdir(p);
}

static void raw_file(const char *name, const char *content)
{
	char p[400];
	FILE *f;

	path_of(p, sizeof(p), name, NULL);
	mkdir(p, 0755);
	path_of(p, sizeof(p), name, "exit_stats");
	f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void clean_tree(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", kvm, kvm);
	if (system(cmd))
		exit(1);
}

/* ---- the fake clock and the world acting at each wake-up ---- */

static uint64_t fake_time;
static void (*world)(void);

static uint64_t fake_now(void)
{
	return fake_time;
}

static void fake_sleep_until(uint64_t t)
{
	if (t > fake_time)
		fake_time = t;
	if (fake_time > T0 + 60000 * MS)
		_exit(97);	/* no test runs a minute: the recorder did not stop */
	if (world)
		world();
}

static const struct ep_env fake_env = {
	.now = fake_now,
	.sleep_until = fake_sleep_until,
};

/* ---- running exitprof record in a child ---- */

static char err[8192];
static char outpath[400];

enum how { FAKE_CLOCK, REAL_CLOCK, NOT_ROOT };

static int vrun(enum how how, pid_t *bg, va_list ap)
{
	char *argv[32], errpath[400];
	int argc = 0, status;
	const char *a;
	pid_t pid;
	FILE *f;
	size_t n;

	argv[argc++] = "record";
	while ((a = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmp);
	fflush(NULL);
	pid = fork();
	if (!pid) {
		if (!freopen(errpath, "w", stderr))
			_exit(99);
		alarm(10);	/* a recorder that never stops fails the test */
		if (how == NOT_ROOT && !geteuid() &&
		    (setgid(65534) || setuid(65534)))
			_exit(98);
		status = ep_record_main(argc, argv,
					how == FAKE_CLOCK ? &fake_env : &ep_real_env);
		/* LeakSanitizer cannot trace a process that changed its uid */
		if (how == NOT_ROOT) {
			fflush(NULL);
			_exit(status);
		}
		exit(status);
	}
	if (bg) {
		*bg = pid;
		return 0;
	}
	waitpid(pid, &status, 0);
	err[0] = 0;
	f = fopen(errpath, "r");
	if (f) {
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = 0;
		fclose(f);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs to the end; returns the exit status, stderr in err. */
static int run(enum how how, ...)
{
	va_list ap;
	int r;

	va_start(ap, how);
	r = vrun(how, NULL, ap);
	va_end(ap);
	return r;
}

static pid_t start_bg(enum how how, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, how);
	vrun(how, &pid, ap);
	va_end(ap);
	return pid;
}

static void read_err(void)
{
	char errpath[400];
	FILE *f;
	size_t n;

	snprintf(errpath, sizeof(errpath), "%s/stderr", tmp);
	err[0] = 0;
	f = fopen(errpath, "r");
	if (f) {
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = 0;
		fclose(f);
	}
}

/* ---- the samples file read back ---- */

#define MAXROWS 2000
#define MAXCOLS 400

static struct {
	char magic[64], meta[512], header[8192];
	int ncols, nrows, bad_rows;
	bool complete;		/* the last line ends in a newline */
	uint64_t v[MAXROWS][MAXCOLS];
} csv;

static void read_csv(const char *path)
{
	static char line[16384];
	FILE *f = fopen(path, "r");
	int i;

	memset(&csv, 0, sizeof(csv));
	if (!f)
		return;
	if (!fgets(csv.magic, sizeof(csv.magic), f) ||
	    !fgets(csv.meta, sizeof(csv.meta), f) ||
	    !fgets(csv.header, sizeof(csv.header), f)) {
		fclose(f);
		return;
	}
	for (i = 0, csv.ncols = 1; csv.header[i]; i++)
		csv.ncols += csv.header[i] == ',';
	csv.complete = true;
	while (fgets(line, sizeof(line), f) && csv.nrows < MAXROWS) {
		char *tok, *save;
		int col = 0;

		csv.complete = strchr(line, '\n') != NULL;
		for (tok = strtok_r(line, ",\n", &save); tok && col < MAXCOLS;
		     tok = strtok_r(NULL, ",\n", &save), col++)
			csv.v[csv.nrows][col] = strtoull(tok, NULL, 10);
		if (col != csv.ncols)
			csv.bad_rows++;
		csv.nrows++;
	}
	fclose(f);
}

static int col_of(const char *name)
{
	char buf[8192], *tok, *save;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", csv.header);
	for (tok = strtok_r(buf, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save), i++)
		if (!strcmp(tok, name))
			return i;
	return -1;
}

static uint64_t meta_num(const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(csv.meta, k);
	return p ? strtoull(p + strlen(k), NULL, 10) : UINT64_MAX;
}

/* The guest sampler's column header for @tax: every defined reason. */
static void guest_header(uint32_t tax, char *h, size_t n)
{
	size_t len;
	uint32_t c;

	len = (size_t)snprintf(h, n, "time_ns,total,cycles,self_cpuid");
	for (c = 0; c <= KVM_EXIT_STATS_MAX_CODE; c++)
		if (ep_reason_name(tax, c))
			len += (size_t)snprintf(h + len, n - len, ",n%u,cyc%u", c, c);
	snprintf(h + len, n - len, "\n");
}

/* Every row's values are those of the VM's file at the row's time. */
static int wrong_values(const struct vm *v)
{
	int i, bad = 0, c1 = col_of("n1"), y1 = col_of("cyc1"), c12 = col_of("n12");

	for (i = 0; i < csv.nrows; i++) {
		uint64_t t = csv.v[i][0];

		if (csv.v[i][3] != 0 ||
		    csv.v[i][c1] != (uint32_t)count_of(v, 1, t) ||
		    csv.v[i][y1] != cycles_of(v, 1, t) ||
		    csv.v[i][c12] != count_of(v, 12, t))
			bad++;
	}
	return bad;
}

/* ---- the tests ---- */

static const struct vm vm_a = { "100-10", KVM_EXIT_STATS_TAXONOMY_VMX, T0 - 10 * MS, true };
static uint64_t stall_at, stall_ns, corrupt_at, gone_at, reborn_at;
static bool stalled, corrupted, gone, reborn;

/* vm_a's counts move with the clock; a stall, corruption or end on cue. */
static void world_a(void)
{
	if (stall_at && !stalled && fake_time >= stall_at) {
		stalled = true;
		fake_time += stall_ns;	/* the host was busy */
	}
	if (gone_at && !gone && fake_time >= gone_at) {
		gone = true;
		vm_remove(&vm_a);
	}
	if (reborn_at && !reborn && fake_time >= reborn_at) {
		struct vm v = vm_a;

		reborn = true;
		vm_remove(&vm_a);	/* a new VM under the same name */
		v.born = fake_time;
		vm_create(&v, fake_time);
	}
	if (gone || reborn)
		return;
	vm_write(&vm_a, fake_time,
		 corrupt_at && fake_time >= corrupt_at ? "12 HLT 5 x enabled" : NULL);
}

static void reset_world(void (*w)(void))
{
	clean_tree();
	fake_time = T0;
	world = w;
	stall_at = stall_ns = corrupt_at = gone_at = reborn_at = 0;
	stalled = corrupted = gone = reborn = false;
	snprintf(outpath, sizeof(outpath), "%s/out.csv", tmp);
	unlink(outpath);
}

static void test_schedule(void)
{
	char want[8192];
	int i, offgrid = 0, wrapped = 0, c1;

	reset_world(world_a);
	vm_create(&vm_a, fake_time);
	/* a bare PID-FD is looked up in --debugfs */
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "--vm-dir", "100-10", "-o",
		  outpath, "--interval", "10", "--duration", "1", NULL) == 0,
	      "exit 0 at --duration: %s", err);
	read_csv(outpath);
	CHECK(!strcmp(csv.magic, "# exitprof-samples v1\n"), "magic %s", csv.magic);
	CHECK(!strcmp(csv.meta, "# taxonomy=1 max_reason=85 scope=vm interval_ms=10 sweep_cpuids=0 clock=CLOCK_MONOTONIC source=host vm=100-10\n"),
	      "metadata: %s", csv.meta);
	guest_header(KVM_EXIT_STATS_TAXONOMY_VMX, want, sizeof(want));
	CHECK(!strcmp(csv.header, want), "the guest sampler's columns: %s", csv.header);
	CHECK(csv.nrows == 101 && !csv.bad_rows && csv.complete,
	      "1 s at 10 ms: rows at 0, 10, ..., 1000 ms: %d rows, %d bad",
	      csv.nrows, csv.bad_rows);
	c1 = col_of("n1");
	for (i = 0; i < csv.nrows; i++) {
		if (csv.v[i][0] != T0 + (uint64_t)i * 10 * MS)
			offgrid++;
		if (i && csv.v[i][c1] < csv.v[i - 1][c1])
			wrapped++;
	}
	CHECK(!offgrid, "%d rows off the absolute 10 ms grid", offgrid);
	CHECK(wrapped == 1, "reason 1's low 32 bits wrap once: %d", wrapped);
	CHECK(!wrong_values(&vm_a), "%d rows whose values are not the file's at time_ns",
	      wrong_values(&vm_a));
	CHECK(strstr(err, "following ") && strstr(err, "101 rows"), "stderr: %s", err);
}

static void test_overrun(void)
{
	int i, late = 0, offgrid = 0, between = 0;

	reset_world(world_a);
	vm_create(&vm_a, fake_time);
	stall_at = T0 + 300 * MS;
	stall_ns = 25 * MS;	/* waking for 300 ms, the host is 25 ms late */
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "100", "-o", outpath,
		  "--duration", "1", NULL) == 0, "exit 0: %s", err);
	read_csv(outpath);
	for (i = 0; i < csv.nrows; i++) {
		uint64_t t = csv.v[i][0] - T0;

		if (t % (10 * MS))
			offgrid++;
		if (t == 325 * MS)
			late++;
		else if (t > 300 * MS && t < 330 * MS)
			between++;
	}
	/* the late row at 325 ms, then 330: 310 and 320 are skipped */
	CHECK(csv.nrows == 99 && late == 1 && offgrid == 1 && !between,
	      "%d rows, %d late, %d off the grid, %d catch-up rows",
	      csv.nrows, late, offgrid, between);
	CHECK(!wrong_values(&vm_a), "values at the late row too");
}

static void test_amd(void)
{
	struct vm v = { "4242-7", KVM_EXIT_STATS_TAXONOMY_SVM, T0 - MS, false };
	char want[16384];

	reset_world(NULL);
	vm_create(&v, fake_time);
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "-p", "4242", "-o", outpath,
		  "--duration", "1", "-i", "200", NULL) == 0, "exit 0: %s", err);
	read_csv(outpath);
	CHECK(strstr(csv.meta, "taxonomy=2 max_reason=1027 scope=vm interval_ms=200 sweep_cpuids=0"),
	      "AMD by its names, max_reason the highest code: %s", csv.meta);
	guest_header(KVM_EXIT_STATS_TAXONOMY_SVM, want, sizeof(want));
	CHECK(!strcmp(csv.header, want), "the guest's AMD columns");
	CHECK(csv.nrows == 6 && !csv.bad_rows, "%d rows", csv.nrows);
}

/* --next: VM b is created at 50.3 ms, its exit_stats at 51.45, gone at 300. */
static const struct vm vm_b = { "200-12", KVM_EXIT_STATS_TAXONOMY_VMX, T0 + 50300000, false };
static const struct vm vm_old = { "150-9", KVM_EXIT_STATS_TAXONOMY_VMX, T0 - 1000 * MS, false };
static bool b_dir, b_file, b_gone;

static void world_b(void)
{
	vm_write(&vm_old, fake_time, NULL);
	if (!b_dir && fake_time >= vm_b.born) {
		b_dir = true;
		vm_mkdir(&vm_b);
	}
	if (b_gone)
		return;
	if (fake_time >= T0 + 300 * MS) {
		b_gone = true;
		vm_remove(&vm_b);
		return;
	}
	if (fake_time >= T0 + 51450000)
		b_file = true;
	if (b_file)
		vm_write(&vm_b, fake_time, NULL);
}

static void test_next(void)
{
	uint64_t created, first;
	int i, nonzero = 0, offgrid = 0;

	reset_world(world_b);
	b_dir = b_file = b_gone = false;
	vm_create(&vm_old, fake_time);
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "--next", "-o", outpath, NULL) == 0,
	      "exit 0 when the VM goes away: %s", err);
	read_csv(outpath);
	CHECK(strstr(csv.meta, " source=host vm=200-12 created_after_ns="),
	      "the new VM, not the one there before: %s", csv.meta);
	created = meta_num("created_ns");
	/* listings at 50 and 51 ms: created in (50, 51] */
	CHECK(meta_num("created_after_ns") == T0 + 50 * MS && created == T0 + 51 * MS,
	      "created between the last listing without it and the first with it: %s",
	      csv.meta);
	first = csv.v[0][0];
	CHECK(created >= vm_b.born && created - vm_b.born <= EP_RECORD_POLL_NS,
	      "created_ns within one poll of the creation: +%" PRIu64 " ns",
	      created - vm_b.born);
	CHECK(first >= T0 + 51450000 && first - (T0 + 51450000) <= EP_RECORD_FILE_POLL_NS,
	      "first row within 0.1 ms of exit_stats appearing: %" PRIu64, first - T0);
	for (i = 1; i < csv.ncols; i++)
		nonzero += csv.v[0][i] != 0;
	CHECK(!nonzero, "the first row is before the first exit: %d non-zero", nonzero);
	for (i = 0; i < csv.nrows; i++)
		if ((csv.v[i][0] - first) % (10 * MS))
			offgrid++;
	/* rows at 51.5, 61.5, ..., 291.5 ms; the read at 301.5 finds it gone */
	CHECK(csv.nrows == 25 && !offgrid && !csv.bad_rows && csv.complete,
	      "%d rows (25), %d off the grid from the first row", csv.nrows, offgrid);
	CHECK(!wrong_values(&vm_b), "values");
	CHECK(strstr(err, "the VM went away"), "stderr: %s", err);
}

static void test_gone_and_replaced(void)
{
	reset_world(world_a);
	vm_create(&vm_a, fake_time);
	gone_at = T0 + 200 * MS;
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "--vm-dir", "100-10", "-o",
		  outpath, NULL) == 0, "gone: exit 0: %s", err);
	read_csv(outpath);
	CHECK(csv.nrows == 20 && csv.complete &&
	      csv.v[csv.nrows - 1][0] == T0 + 190 * MS,
	      "rows up to the last read before it went: %d", csv.nrows);

	reset_world(world_a);
	vm_create(&vm_a, fake_time);
	reborn_at = T0 + 200 * MS;
	CHECK(run(FAKE_CLOCK, "--debugfs", kvm, "--vm-dir", "100-10", "-o",
		  outpath, NULL) == 0, "replaced: exit 0: %s", err);
	read_csv(outpath);
	CHECK(csv.nrows == 20 && !wrong_values(&vm_a),
	      "a new VM under the old name ends the series: %d rows", csv.nrows);
}

static void test_sigterm(void)
{
	int status = -1;
	pid_t pid;
	struct stat st;

	reset_world(NULL);
	vm_create(&vm_a, T0);
	pid = start_bg(REAL_CLOCK, "--debugfs", kvm, "--pid", "100", "-i", "5",
		       "-o", outpath, NULL);
	usleep(200000);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	read_err();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "SIGTERM: exit 0 (status %d): %s", status, err);
	read_csv(outpath);
	CHECK(csv.nrows >= 10 && !csv.bad_rows && csv.complete,
	      "SIGTERM: whole rows, flushed: %d rows, %d bad", csv.nrows, csv.bad_rows);
	CHECK(strstr(err, "stopped by a signal"), "stderr: %s", err);

	/* waiting for --next: nothing to lose, exit 0, an empty file */
	pid = start_bg(REAL_CLOCK, "--debugfs", kvm, "--next", "-o", outpath, NULL);
	usleep(100000);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	read_err();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	      strstr(err, "before a VM appeared") && !stat(outpath, &st) &&
	      !st.st_size, "SIGINT while waiting: status %d: %s", status, err);
}

static void test_errors(void)
{
	char p[400], q[400];
	int r;

	reset_world(NULL);
	snprintf(p, sizeof(p), "%s/none", tmp);
	r = run(FAKE_CLOCK, "--debugfs", p, "--next", NULL);
	CHECK(r == 3 && strstr(err, "/none: No such file or directory: is debugfs mounted?"),
	      "no debugfs: %d %s", r, err);
	r = run(FAKE_CLOCK, "--debugfs", p, "--pid", "1", NULL);
	CHECK(r == 3 && strstr(err, "is debugfs mounted?"), "no debugfs, --pid: %d %s", r, err);

	vm_create(&vm_a, T0);
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "999", NULL);
	CHECK(r == 3 && strstr(err, "no VM of pid 999 in "), "no such pid: %d %s", r, err);
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "10", NULL);
	CHECK(r == 3 && strstr(err, "no VM of pid 10 "), "pid 10 is not 100-10: %d %s", r, err);

	raw_file("300-10", "");
	raw_file("300-11", "");
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "300", NULL);
	CHECK(r == 3 && strstr(err, "pid 300 has 2 VMs") && strstr(err, "300-10") &&
	      strstr(err, "300-11") && strstr(err, "--vm-dir"),
	      "several VMs of a pid: %d %s", r, err);

	snprintf(p, sizeof(p), "%s/no-such-vm", kvm);
	r = run(FAKE_CLOCK, "--vm-dir", p, NULL);
	CHECK(r == 3 && strstr(err, "no such VM directory: "), "no such dir: %d %s", r, err);

	path_of(p, sizeof(p), "400-3", NULL);
	mkdir(p, 0755);
	r = run(FAKE_CLOCK, "--vm-dir", p, NULL);
	CHECK(r == 3 && strstr(err, "400-3/exit_stats: no such file: is the kvm module the exitprof-patched one?"),
	      "a stock kvm's VM: %d %s", r, err);

	/* not root: an exit_stats root alone may read, a debugfs root's */
	path_of(p, sizeof(p), "100-10", "exit_stats");
	chmod(p, 0);
	r = run(NOT_ROOT, "--debugfs", kvm, "--pid", "100", "-o", "/dev/null", NULL);
	CHECK(r == 3 && strstr(err, "100-10/exit_stats: Permission denied: exitprof record must run as root"),
	      "unreadable exit_stats: %d %s", r, err);
	chmod(p, 0644);
	chmod(kvm, 0700);
	r = run(NOT_ROOT, "--debugfs", kvm, "--next", "-o", "/dev/null", NULL);
	CHECK(r == 3 && strstr(err, ": Permission denied: exitprof record must run as root"),
	      "unreadable debugfs: %d %s", r, err);
	chmod(kvm, 0755);

	snprintf(q, sizeof(q), "%s/no-dir/out.csv", tmp);
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "100", "-o", q, NULL);
	CHECK(r == 1 && strstr(err, "cannot write ") && strstr(err, "No such file or directory"),
	      "unwritable output: %d %s", r, err);
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "100", "-o", "/dev/full", NULL);
	CHECK(r == 1 && strstr(err, "write error on /dev/full: No space left on device"),
	      "full output: %d %s", r, err);
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--next", "-o", q, NULL);
	CHECK(r == 1 && strstr(err, "cannot write "), "--next checks the output first: %d %s", r, err);
}

/* exit_stats contents that are not exit_stats_show()'s, and what is said. */
static void test_malformed(void)
{
	static const struct {
		const char *content, *says;
	} cases[] = {
		{ "", "exit_stats: empty: KVM has no exit reasons set up" },
		{ "# reason name count cycles enabled\n0 EXCEPTION_NMI 1 2 enabled\n",
		  "exit_stats:3: expected the last line \"total - COUNT CYCLES -\"" },
		{ "0 EXCEPTION_NMI 1 2 enabled\ntotal - 1 2 -", "exit_stats:2: truncated line" },
		{ "0 EXCEPTION_NMI 1 2 on\ntotal - 1 2 -\n",
		  "exit_stats:1: expected \"CODE NAME COUNT CYCLES enabled|disabled\" (CODE at most 1027), found \"0 EXCEPTION_NMI 1 2 on\"" },
		{ "0 EXCEPTION_NMI 1 2  enabled\ntotal - 1 2 -\n", "exit_stats:1: expected \"CODE" },
		{ "0 EXCEPTION_NMI -1 2 enabled\ntotal - 1 2 -\n", "exit_stats:1: expected \"CODE" },
		{ "0 EXCEPTION_NMI 18446744073709551616 2 enabled\ntotal - 1 2 -\n", "exit_stats:1: expected \"CODE" },
		{ "1028 X 1 2 enabled\ntotal - 1 2 -\n", "exit_stats:1: expected \"CODE" },
		{ "1 EXTERNAL_INTERRUPT 1 2 enabled\n0 EXCEPTION_NMI 1 2 enabled\ntotal - 1 2 -\n",
		  "exit_stats:2: reasons must ascend" },
		{ "0 EXCEPTION_NMI 1 2 enabled\ntotal 1 2\n", "exit_stats:2: expected \"CODE" },
		{ "0 EXCEPTION_NMI 1 2 enabled\ntotal - 1 x -\n", "exit_stats:2: expected \"total - COUNT CYCLES -\"" },
		{ "0 EXCEPTION_NMI 1 2 enabled\ntotal - 1 2 -\n0 X 1 1 enabled\n",
		  "exit_stats:3: a line after the \"total\" line" },
		{ "total - 1 2 -\n", "exit_stats: no reasons listed" },
		{ "0 EXCEPTION_NMI 1 2 enabled\n10 HLT 1 2 enabled\ntotal - 1 2 -\n",
		  "exit_stats:2: reason 10 HLT: the Intel SDM basic exit reasons name it CPUID; this exitprof's reason tables differ" },
		{ "0 READ_CR0 1 2 enabled\n35 FOO 1 2 enabled\ntotal - 1 2 -\n",
		  "exit_stats:1: reason 0 READ_CR0: the Intel SDM basic exit reasons name it EXCEPTION_NMI;" },
		{ "0 EXCEPTION_NMI 1 2 enabled\n35 FOO 1 2 enabled\ntotal - 1 2 -\n",
		  "exit_stats:2: reason 35 FOO: the Intel SDM basic exit reasons do not define it;" },
		{ "0 READ_CR0 1 2 enabled\n1027 NOPE 1 2 enabled\ntotal - 1 2 -\n",
		  "exit_stats:2: reason 1027 NOPE: the AMD APM SVM exit codes name it" },
	};
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_world(NULL);
		raw_file("500-1", cases[i].content);
		r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "500", "-o", outpath, NULL);
		CHECK(r == 1 && strstr(err, cases[i].says), "case %u: %d: %s", i, r, err);
	}

	/* in the middle of a run: the rows before it are kept */
	reset_world(world_a);
	vm_create(&vm_a, fake_time);
	corrupt_at = T0 + 100 * MS;
	r = run(FAKE_CLOCK, "--debugfs", kvm, "--pid", "100", "-o", outpath, NULL);
	CHECK(r == 1 && strstr(err, "100-10/exit_stats:14: expected \"CODE") &&
	      strstr(err, "found \"12 HLT 5 x enabled\""), "mid-run: %d %s", r, err);
	read_csv(outpath);
	CHECK(csv.nrows == 10 && csv.complete && !csv.bad_rows,
	      "rows before the bad read kept: %d", csv.nrows);
}

static void test_usage(void)
{
	static const char *const bad[][4] = {
		{ NULL },
		{ "--next", "--pid", "1", NULL },
		{ "--next", "-i", "0", NULL },
		{ "--next", "-i", "10ms", NULL },
		{ "--next", "--duration", "-1", NULL },
		{ "--pid", "0", NULL },
		{ "--pid", "99999999999999999999", NULL },
		{ "--next", "extra", NULL },
		{ "--next", "--bogus", NULL },
		{ "--next", "-o", NULL },
		{ "--vm-dir", "", NULL },
	};
	unsigned int i;
	int r, lines;
	char *p;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run(FAKE_CLOCK, bad[i][0], bad[i][0] ? bad[i][1] : NULL,
			bad[i][0] && bad[i][1] ? bad[i][2] : NULL, NULL);
		for (lines = 0, p = err; *p; p++)
			lines += *p == '\n';
		CHECK(r == 2 && lines == 2 && !strncmp(err, "exitprof record: ", 17) &&
		      strstr(err, "\ntry 'exitprof record --help'\n"),
		      "usage case %u: %d, %d lines: %s", i, r, lines, err);
	}
	CHECK(strstr(err, "--vm-dir '': empty"), "%s", err);
	r = run(FAKE_CLOCK, "--pid", "12x", NULL);
	CHECK(strstr(err, "--pid '12x': invalid (a process id, 1..4194304)"), "%s", err);
	r = run(FAKE_CLOCK, "-i", "3600001", "--next", NULL);
	CHECK(strstr(err, "--interval '3600001': too large (milliseconds, 1..3600000)"), "%s", err);
}

int main(void)
{
	char cmd[400];

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(tmp, 0755);	/* the not-root runs look inside */
	snprintf(kvm, sizeof(kvm), "%s/kvm", tmp);
	test_schedule();
	test_overrun();
	test_amd();
	test_next();
	test_gone_and_replaced();
	test_sigterm();
	test_errors();
	test_malformed();
	test_usage();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmp);
	return check_summary();
}

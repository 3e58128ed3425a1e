// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof sample: the boot-timeline sampler (sampler/FORMAT.md).
 *
 * Started by exitprof-sampler.service before sysinit.target, it reads every
 * defined exit reason at a fixed interval with absolute-time sleeps, writes
 * samples.csv to /run first (writable from the start), moves it to the
 * persistent directory once the root file system is writable, records
 * systemd's boot milestones and stops a while after boot has finished.
 * In a systemd initrd (dracut) the same unit runs there first, stops before
 * switch-root and leaves its series in /run for the root file system's
 * instance to continue (open_output()).
 * It never delays boot: without the leaves it logs one line and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sample.h"

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

static uint64_t real_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

/* Returns early (EINTR) on a signal, so SIGTERM is seen at once. */
static void real_sleep_until(uint64_t ns)
{
	struct timespec t = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
}

/* systemctl show -p NAME [UNIT]: the value as a number, 0 if unknown. */
static uint64_t systemd_prop(const char *name, const char *unit)
{
	char cmd[256], line[256];
	uint64_t v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "systemctl show --value -p %s %s 2>/dev/null",
		 name, unit ? unit : "");
	p = popen(cmd, "r");
	if (!p)
		return 0;
	if (fgets(line, sizeof(line), p))
		v = strtoull(line, NULL, 10);
	pclose(p);
	return v;
}

static bool real_boot_finished(void)
{
	return systemd_prop("FinishTimestampMonotonic", NULL) != 0;
}

static int real_milestones(struct ep_milestone *m, int max)
{
	static const struct {
		const char *name, *prop, *unit;
	} src[] = {
		{ "kernel", NULL, NULL },
		{ "initrd", "InitRDTimestampMonotonic", NULL },
		{ "userspace", "UserspaceTimestampMonotonic", NULL },
		{ "sysinit.target", "ActiveEnterTimestampMonotonic", "sysinit.target" },
		{ "basic.target", "ActiveEnterTimestampMonotonic", "basic.target" },
		{ "multi-user.target", "ActiveEnterTimestampMonotonic", "multi-user.target" },
		{ "finished", "FinishTimestampMonotonic", NULL },
	};
	int i, n = 0;

	for (i = 0; i < (int)(sizeof(src) / sizeof(src[0])) && n < max; i++) {
		uint64_t us = src[i].prop ? systemd_prop(src[i].prop, src[i].unit) : 0;

		/* 0 means "did not happen", except for the kernel's start */
		if (!us && src[i].prop)
			continue;
		m[n].name = src[i].name;
		m[n].time_us = us;
		n++;
	}
	return n;
}

const struct ep_env ep_real_env = {
	.now = real_now,
	.sleep_until = real_sleep_until,
	.boot_finished = real_boot_finished,
	.milestones = real_milestones,
};

volatile sig_atomic_t ep_stop_requested;

static void on_term(int sig)
{
	(void)sig;
	ep_stop_requested = 1;
}

void ep_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Lines go to stderr, which systemd puts in the journal. */
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("exitprof-sampler: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

uint64_t ep_next_tick(uint64_t start, uint64_t interval, uint64_t now)
{
	/* the first grid point strictly after now: missed ticks are skipped */
	return start + ((now - start) / interval + 1) * interval;
}

struct sampler {
	const struct ep_sample_opts *o;
	const struct ep_env *env;
	struct ep_info info;
	uint32_t codes[KVM_EXIT_STATS_MAX_CODE + 1];
	unsigned int ncodes;
	FILE *out;
	char path[PATH_MAX];	/* where samples.csv is now */
	bool persisted;
	uint64_t last_cpuids;	/* ep_cpuid_count at the previous sweep start */
	uint64_t carried;	/* CPUIDs an earlier instance issued after its last row began */
	uint64_t sweep_ns;	/* time spent in sweeps, for the closing line */
	uint64_t last_t;	/* time_ns of the last row */
	uint64_t grid;		/* the grid's origin: the series' first row */
	bool have_last;		/* count, cyc and moved hold the last row */
	uint32_t count[KVM_EXIT_STATS_MAX_CODE + 1];	/* per column */
	uint64_t cyc[KVM_EXIT_STATS_MAX_CODE + 1];
	bool moved[KVM_EXIT_STATS_MAX_CODE + 1];	/* in the last row */
};

/* -errno of a failed flush (ENOSPC, say), -EIO for an earlier error. */
static int flush_error(FILE *f)
{
	if (fflush(f))
		return errno ? -errno : -EIO;
	return ferror(f) ? -EIO : 0;
}

int ep_samples_header(FILE *f, const struct ep_samples_meta *m,
		      const uint32_t *codes, unsigned int ncodes)
{
	unsigned int i;

	fprintf(f, "# exitprof-samples v%d\n", EP_FORMAT_VERSION);
	fprintf(f,
		"# taxonomy=%" PRIu32 " max_reason=%" PRIu32 " scope=%s interval_ms=%u sweep_cpuids=%u clock=CLOCK_MONOTONIC source=%s%s%s\n",
		m->taxonomy, m->max_reason, m->host_scope ? "host" : "vm",
		m->interval_ms, m->sweep_cpuids, m->source,
		m->extra ? " " : "", m->extra ? m->extra : "");
	fputs("time_ns,total,cycles,self_cpuid", f);
	for (i = 0; i < ncodes; i++)
		fprintf(f, ",n%" PRIu32 ",cyc%" PRIu32, codes[i], codes[i]);
	fputc('\n', f);
	return flush_error(f);
}

void ep_samples_row_begin(FILE *f, uint64_t time_ns, uint32_t total,
			  uint64_t cycles, uint64_t self_cpuid)
{
	fprintf(f, "%" PRIu64 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64, time_ns,
		total, cycles, self_cpuid);
}

void ep_samples_reason(FILE *f, uint32_t count, uint64_t cycles)
{
	fprintf(f, ",%" PRIu32 ",%" PRIu64, count, cycles);
}

int ep_samples_row_end(FILE *f)
{
	fputc('\n', f);
	/* one row at a time reaches the file: a stop loses nothing */
	return flush_error(f);
}

static int write_header(struct sampler *s, FILE *f)
{
	const struct ep_samples_meta m = {
		.taxonomy = s->info.taxonomy,
		.max_reason = s->info.max_reason,
		.host_scope = s->info.flags & KVM_EXIT_STATS_FLAG_HOST,
		.interval_ms = s->o->interval_ms,
		.sweep_cpuids = 2 + 2 * s->ncodes,
		.source = "guest",
	};

	return ep_samples_header(f, &m, s->codes, s->ncodes);
}

/*
 * One sweep: the totals, every defined reason's count in ascending order,
 * then the cycles of the reasons whose count moved in this sweep or in the
 * previous one; the others keep the cycles last read.  KVM makes an exit's
 * count visible before its cycles (an exit being handled on another vCPU
 * right now: kernel exit_stats.h), so a reason is read once more after its
 * count stops moving.  The counts keep their places in every sweep, which
 * FORMAT.md's host/guest bound relies on.
 */
static int sweep(struct sampler *s)
{
	uint64_t t = s->env->now();
	uint64_t self = ep_cpuid_count - s->last_cpuids + s->carried;
	uint64_t cycles, got = 0, kept = 0;
	bool read[KVM_EXIT_STATS_MAX_CODE + 1];
	unsigned int i;
	uint32_t total;

	s->last_cpuids = ep_cpuid_count;
	s->carried = 0;
	total = ep_total_count();
	cycles = ep_total_cycles();
	for (i = 0; i < s->ncodes; i++) {
		uint32_t c = ep_reason_count(s->codes[i]);
		/* at the first sweep: a reason without exits has no cycles to come */
		bool moved = s->have_last ? c != s->count[i] : c != 0;

		read[i] = !s->have_last || moved || s->moved[i];
		s->moved[i] = moved;
		s->count[i] = c;
	}
	for (i = 0; i < s->ncodes; i++) {
		if (read[i]) {
			s->cyc[i] = ep_reason_cycles(s->codes[i]);
			got += s->cyc[i];
		} else {
			kept += s->cyc[i];
		}
	}
	/*
	 * The cycles of every exit done before this sweep began are in
	 * @cycles, and the reasons just read hold at least their part: if
	 * the others hold less than the rest, an exit's handling outlasted
	 * an interval (its vCPU scheduled out) and its cycles are still
	 * unread.  Read them all.  (A shortfall smaller than what the read
	 * reasons gained during the sweep goes unseen until the reason's
	 * count moves again; the cycles are late then, never lost.)
	 */
	if (cycles > got && cycles - got > kept)
		for (i = 0; i < s->ncodes; i++)
			if (!read[i])
				s->cyc[i] = ep_reason_cycles(s->codes[i]);
	s->have_last = true;
	ep_samples_row_begin(s->out, t, total, cycles, self);
	for (i = 0; i < s->ncodes; i++)
		ep_samples_reason(s->out, s->count[i], s->cyc[i]);
	s->last_t = t;
	s->sweep_ns += s->env->now() - t;
	return ep_samples_row_end(s->out);
}

/* "N,N,...": @n unsigned decimals; false if the line is not exactly that. */
static bool parse_row(const char *line, uint64_t *v, unsigned int n)
{
	unsigned int i;
	char *end;

	for (i = 0; i < n; i++) {
		if (*line < '0' || *line > '9')
			return false;
		errno = 0;
		v[i] = strtoull(line, &end, 10);
		if (errno || *end != (i + 1 < n ? ',' : '\n'))
			return false;
		line = end + 1;
	}
	return true;
}

/*
 * Continue the series in @buf (the file, @len bytes, cut after its last
 * whole line), which begins with @hdr: the grid of its first row, the
 * counts and cycles of its last row, which reasons moved into it, and the
 * CPUIDs its writer issued after the last row began (in the note
 * samples.csv.handoff it leaves when it stops).  Returns 0, or -1 if the
 * rows are not ours to continue.
 */
static int resume(struct sampler *s, const char *buf, size_t len, size_t hdr)
{
	const unsigned int ncol = 4 + 2 * s->ncodes;
	const char *first = buf + hdr, *last = NULL, *prev = NULL, *p;
	uint64_t *cur, *old, note[2];
	char path[PATH_MAX + 16];
	unsigned int i;
	FILE *f;
	int r = -1;

	for (p = first; p < buf + len; p = strchr(p, '\n') + 1) {
		prev = last;
		last = p;
	}
	if (!last) {
		logmsg("continuing %s: it has no rows yet", s->path);
		return 0;
	}
	cur = calloc(2 * ncol, sizeof(*cur));
	if (!cur)
		return -1;
	old = cur + ncol;
	if (!parse_row(first, old, ncol))
		goto out;
	s->grid = old[0];
	if (!parse_row(last, cur, ncol) || (prev && !parse_row(prev, old, ncol)))
		goto out;
	for (i = 0; i < s->ncodes; i++) {
		s->count[i] = (uint32_t)cur[4 + 2 * i];
		s->cyc[i] = cur[5 + 2 * i];
		s->moved[i] = !prev || cur[4 + 2 * i] != old[4 + 2 * i];
	}
	s->have_last = true;
	s->last_t = cur[0];
	snprintf(path, sizeof(path), "%s.handoff", s->path);
	f = fopen(path, "r");
	if (f && fscanf(f, "%" SCNu64 " %" SCNu64, &note[0], &note[1]) == 2 &&
	    note[0] == s->last_t) {
		s->carried = note[1];
	} else {
		/* killed, not stopped: its last sweep was at most a full one */
		s->carried = 2 + 2 * s->ncodes;
		logmsg("%s: no note of how the last writer stopped; counting a full sweep (%" PRIu64 " CPUIDs) after its last row",
		       s->path, s->carried);
	}
	if (f)
		fclose(f);
	unlink(path);
	logmsg("continuing the series in %s from its row at %" PRIu64 " ns",
	       s->path, s->last_t);
	r = 0;
out:
	free(cur);
	return r;
}

/*
 * Opens samples.csv in the run directory.  One there already was written
 * by an earlier instance in this boot (/run is new every boot): the
 * initrd's, which systemd stopped before switch-root and whose /run it
 * moved into the root file system.  If it has this instance's header, its
 * series goes on; otherwise (other settings) it is kept as
 * samples-initrd.csv and a new one begins.
 */
static int open_output(struct sampler *s)
{
	char *hdr = NULL, *buf = NULL, *nl, old[PATH_MAX + 16];
	size_t hlen = 0;
	struct stat st;
	bool torn;
	FILE *m;
	int fd, r = 0;

	m = open_memstream(&hdr, &hlen);
	if (!m)
		return -errno;
	write_header(s, m);
	if (fclose(m))
		return -ENOMEM;
reopen:
	fd = open(s->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* a writer still at it (the initrd's, stopping) goes first */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		logmsg("%s: another sampler writes it; waiting for it to stop",
		       s->path);
		flock(fd, LOCK_EX);
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0) {
		buf = malloc((size_t)st.st_size + 1);
		if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
			r = buf ? -EIO : -ENOMEM;
			close(fd);
			goto out;
		}
		buf[st.st_size] = 0;
		/* a row torn when its writer died is cut off */
		nl = strrchr(buf, '\n');
		torn = nl && nl[1];
		if (torn && !ftruncate(fd, nl + 1 - buf)) {
			nl[1] = 0;
			torn = false;
		}
		if (torn || strncmp(buf, hdr, hlen) ||
		    resume(s, buf, (size_t)(nl + 1 - buf), hlen)) {
			snprintf(old, sizeof(old), "%s/samples-initrd.csv",
				 s->o->run_dir);
			logmsg("%s is not this sampler's series (other settings?): kept as %s, starting a new one",
			       s->path, old);
			rename(s->path, old);
			close(fd);
			free(buf);
			buf = NULL;
			goto reopen;
		}
	}
	s->out = fdopen(fd, "a");
	if (!s->out) {
		r = -errno;
		close(fd);
		goto out;
	}
	if (!s->have_last && (!buf || !*buf))
		r = write_header(s, s->out);
out:
	free(buf);
	free(hdr);
	return r;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in, *out;
	size_t n;
	int r = 0;

	in = fopen(from, "r");
	if (!in)
		return -errno;
	out = fopen(to, "w");
	if (!out) {
		r = -errno;
		fclose(in);
		return r;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			r = -EIO;
			break;
		}
	if (ferror(in))
		r = -EIO;
	fclose(in);
	if (fclose(out) && !r)
		r = -EIO;
	return r;
}

/*
 * Once the persistent directory can be created (the root file system is
 * writable), copy what /run has and continue writing there.
 */
static void try_persist(struct sampler *s)
{
	char dst[PATH_MAX], link[PATH_MAX + 16];
	FILE *out, *note;

	if (s->persisted || !s->o->persist_dir)
		return;
	if (mkdir_p(s->o->persist_dir))
		return;		/* read-only still: try again later */
	snprintf(dst, sizeof(dst), "%s/samples.csv", s->o->persist_dir);
	if (fflush(s->out) || copy_file(s->path, dst)) {
		logmsg("cannot copy %s to %s: %s; keeping %s", s->path, dst,
		       strerror(errno), s->path);
		s->persisted = true;	/* do not retry every interval */
		return;
	}
	out = fopen(dst, "a");
	if (!out) {
		logmsg("cannot append to %s: %s", dst, strerror(errno));
		s->persisted = true;
		return;
	}
	fclose(s->out);
	unlink(s->path);
	/* leave a pointer where the file was, for people looking in /run */
	snprintf(link, sizeof(link), "%s.persisted-to", s->path);
	note = fopen(link, "w");
	if (note) {
		fprintf(note, "%s\n", dst);
		fclose(note);
	}
	s->out = out;
	snprintf(s->path, sizeof(s->path), "%s", dst);
	s->persisted = true;
}

/*
 * For an instance that continues this series (the root file system's after
 * the initrd's): the CPUIDs issued since the last row began, which belong
 * in the next row's self_cpuid.
 */
static void write_handoff(struct sampler *s)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s.handoff", s->path);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%" PRIu64 " %" PRIu64 "\n", s->last_t,
			ep_cpuid_count - s->last_cpuids);
		if (!fclose(f))
			return;
	}
	logmsg("cannot write %s: %s", path, strerror(errno));
}

static int write_milestones(struct sampler *s)
{
	struct ep_milestone m[16];
	char path[PATH_MAX], tmp[PATH_MAX + 8], *slash;
	FILE *f;
	int i, n;

	n = s->env->milestones(m, 16);
	snprintf(path, sizeof(path), "%s", s->path);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path,
		 sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
		 "milestones.csv");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# exitprof-milestones v%d\nmilestone,time_us\n",
		EP_FORMAT_VERSION);
	for (i = 0; i < n; i++)
		fprintf(f, "%s,%" PRIu64 "\n", m[i].name, m[i].time_us);
	if (fclose(f) || rename(tmp, path))
		return -errno ? -errno : -EIO;
	return n;
}

int ep_sample_run(const struct ep_sample_opts *o, const struct ep_env *env)
{
	struct sampler s = { .o = o, .env = env };
	uint64_t interval = (uint64_t)o->interval_ms * NSEC_PER_MSEC;
	uint64_t start, next, now, check = 0, deadline = 0;
	unsigned long rows = 0;
	char why[256];
	uint32_t code;
	int r;

	ep_catch_stop_signals();
	if (!ep_probe(&s.info, why, sizeof(why))) {
		logmsg("the exitprof CPUID leaves are absent (%s); not sampling",
		       why);
		return 0;
	}
	for (code = 0; code <= s.info.max_reason &&
	     code <= KVM_EXIT_STATS_MAX_CODE; code++)
		if (ep_reason_name(s.info.taxonomy, code))
			s.codes[s.ncodes++] = code;

	r = mkdir_p(o->run_dir);
	if (r) {
		logmsg("cannot create %s: %s", o->run_dir, strerror(-r));
		return 1;
	}
	snprintf(s.path, sizeof(s.path), "%s/samples.csv", o->run_dir);
	r = open_output(&s);
	if (r && !s.out) {
		logmsg("cannot write %s: %s", s.path, strerror(-r));
		return 1;
	}
	if (r)
		goto write_error;
	logmsg("sampling %u reasons every %u ms into %s%s", s.ncodes,
	       o->interval_ms, s.path,
	       o->initrd ? " until switch-root (in the initrd)" : "");

	/* a continued series keeps its grid; its next row comes at once */
	start = s.grid ? s.grid : env->now();
	next = env->now();
	for (;;) {
		r = sweep(&s);
		if (r)
			goto write_error;
		rows++;
		if (ep_stop_requested || (o->max_rows && rows >= o->max_rows))
			break;
		now = env->now();
		/* about once a second: persistence and the end of boot */
		if (now >= check) {
			check = now + NSEC_PER_SEC;
			try_persist(&s);
			if (!o->follow && !deadline && env->boot_finished()) {
				deadline = env->now() +
					   (uint64_t)o->after_boot_s * NSEC_PER_SEC;
				logmsg("boot finished; stopping in %d s",
				       o->after_boot_s);
			}
		}
		if (deadline && now >= deadline)
			break;
		next = ep_next_tick(start, interval, now > next ? now : next);
		/* a stop during the sleep ends it: one last row, then out */
		env->sleep_until(next);
	}
	if (fflush(s.out) || ferror(s.out)) {
		r = -EIO;
		goto write_error;
	}
	try_persist(&s);
	if (!s.persisted)
		write_handoff(&s);
	/* the root file system's instance writes them, knowing the whole boot */
	r = o->initrd ? 0 : write_milestones(&s);
	if (r < 0)
		logmsg("cannot write milestones next to %s: %s", s.path,
		       strerror(-r));
	logmsg("%lu samples in %s, %d milestones%s; a sweep took %.0f CPUIDs and %.1f us on average",
	       rows, s.path, r < 0 ? 0 : r,
	       ep_stop_requested ? " (stopped by signal)" : "",
	       rows ? (double)ep_cpuid_count / rows : 0.0,
	       rows ? s.sweep_ns / 1e3 / rows : 0.0);
	return fclose(s.out) ? 1 : 0;

write_error:
	logmsg("write error on %s: %s; stopping", s.path, strerror(-r));
	fclose(s.out);
	return 1;
}

/* exitprof.interval_ms=N and friends on the kernel command line win. */
static void cmdline_overrides(struct ep_sample_opts *o, const char *cmdline)
{
	const char *p;

	p = strstr(cmdline, "exitprof.interval_ms=");
	if (p)
		o->interval_ms = (unsigned int)strtoul(p + 21, NULL, 10);
	p = strstr(cmdline, "exitprof.after_boot_s=");
	if (p)
		o->after_boot_s = (int)strtol(p + 22, NULL, 10);
	if (strstr(cmdline, "exitprof.follow=1"))
		o->follow = true;
}

static const char sample_usage[] =
	"usage: exitprof sample [OPTIONS]\n"
	"\n"
	"Sample every defined VM-exit reason at a fixed interval into\n"
	"samples.csv and record systemd's boot milestones (sampler/FORMAT.md).\n"
	"Meant to run as exitprof-sampler.service early in boot.\n"
	"\n"
	"  -i, --interval MS      sampling interval (default 500)\n"
	"  -r, --run-dir DIR      first output directory (default /run/exitprof)\n"
	"  -p, --persist DIR      move the files here once the root file system is\n"
	"                         writable (default /var/lib/exitprof/BOOT_ID;\n"
	"                         '' to stay in --run-dir)\n"
	"  -a, --after-boot SECS  stop SECS after boot has finished (default 10)\n"
	"  -f, --follow           keep sampling until SIGTERM\n"
	"  -n, --rows N           stop after N samples\n"
	"\n"
	"In a systemd initrd (dracut) it samples until SIGTERM before switch-root\n"
	"and leaves the file in --run-dir; the root file system's instance\n"
	"continues that series (same file, same grid, no gap, no repeated row).\n"
	"\n"
	"Environment EXITPROF_INTERVAL_MS, EXITPROF_AFTER_BOOT_S, EXITPROF_FOLLOW=1\n"
	"and the kernel command line exitprof.interval_ms=, exitprof.after_boot_s=,\n"
	"exitprof.follow=1 set the same (command line first, then options).\n"
	"\n"
	"Exit status: 0 done (also when the leaves are absent: nothing to do),\n"
	"1 write error, 2 usage error.\n";

int ep_parse_num(const char *s, unsigned long long min, unsigned long long max,
		 unsigned long long *out, const char **why)
{
	unsigned long long v;
	const char *p;
	char *end;

	*why = "invalid";
	for (p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v > max) {
		*why = "too large";
		return -1;
	}
	if (v < min) {
		*why = "too small";
		return -1;
	}
	*out = v;
	return 0;
}

static int positive(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long long v;
	const char *why;

	if (ep_parse_num(s, 0, max, &v, &why))
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int exitprof_sample(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "persist", required_argument, NULL, 'p' },
		{ "after-boot", required_argument, NULL, 'a' },
		{ "follow", no_argument, NULL, 'f' },
		{ "rows", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static char persist[PATH_MAX];
	struct ep_sample_opts o = {
		.interval_ms = 500,
		.run_dir = "/run/exitprof",
		.after_boot_s = 10,
	};
	char cmdline[4096] = "", bootid[64] = "unknown", *e;
	unsigned long v;
	FILE *f;
	int c;

	e = getenv("EXITPROF_INTERVAL_MS");
	if (e && !positive(e, 3600000, &v) && v)
		o.interval_ms = (unsigned int)v;
	e = getenv("EXITPROF_AFTER_BOOT_S");
	if (e && !positive(e, 86400, &v))
		o.after_boot_s = (int)v;
	e = getenv("EXITPROF_FOLLOW");
	if (e && !strcmp(e, "1"))
		o.follow = true;
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (fgets(cmdline, sizeof(cmdline), f))
			cmdline_overrides(&o, cmdline);
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f) {
		if (fgets(bootid, sizeof(bootid), f))
			bootid[strcspn(bootid, "\n")] = 0;
		fclose(f);
	}
	snprintf(persist, sizeof(persist), "/var/lib/exitprof/%s", bootid);
	o.persist_dir = persist;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:r:p:a:fn:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (positive(optarg, 3600000, &v) || !v) {
				return ep_usage_error("sample", "--interval '%s': not a number of milliseconds (1..3600000)", optarg);
			}
			o.interval_ms = (unsigned int)v;
			break;
		case 'r':
			o.run_dir = optarg;
			break;
		case 'p':
			o.persist_dir = *optarg ? optarg : NULL;
			break;
		case 'a':
			if (positive(optarg, 86400, &v)) {
				return ep_usage_error("sample", "--after-boot '%s': not a number of seconds (0..86400)", optarg);
			}
			o.after_boot_s = (int)v;
			break;
		case 'f':
			o.follow = true;
			break;
		case 'n':
			if (positive(optarg, ULONG_MAX, &v) || !v) {
				return ep_usage_error("sample", "--rows '%s': not a positive number", optarg);
			}
			o.max_rows = v;
			break;
		case 'h':
			fputs(sample_usage, stdout);
			return 0;
		default:
			return ep_usage_hint("sample");
		}
	}
	if (optind != argc) {
		return ep_usage_error("sample", "unexpected argument '%s'", argv[optind]);
	}
	if (!o.interval_ms) {
		fprintf(stderr, "exitprof sample: interval must be at least 1 ms\n");
		return 2;
	}
	/* systemd's own test for the initrd (in_initrd()) */
	if (!access("/etc/initrd-release", F_OK)) {
		o.initrd = true;
		o.persist_dir = NULL;
	}
	return ep_sample_run(&o, &ep_real_env);
}

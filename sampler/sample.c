// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof sample: the boot-timeline sampler (sampler/FORMAT.md).
 *
 * Started by exitprof-sampler.service before sysinit.target, it reads every
 * defined exit reason at a fixed interval with absolute-time sleeps, writes
 * samples.csv to /run first (writable from the start), moves it to the
 * persistent directory once the root file system is writable, records
 * systemd's boot milestones and stops a while after boot has finished.
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
	uint64_t sweep_ns;	/* time spent in sweeps, for the closing line */
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

static int write_header(struct sampler *s)
{
	const struct ep_samples_meta m = {
		.taxonomy = s->info.taxonomy,
		.max_reason = s->info.max_reason,
		.host_scope = s->info.flags & KVM_EXIT_STATS_FLAG_HOST,
		.interval_ms = s->o->interval_ms,
		.sweep_cpuids = 2 + 2 * s->ncodes,
		.source = "guest",
	};

	return ep_samples_header(s->out, &m, s->codes, s->ncodes);
}

/* One sweep: totals first, then every defined reason in ascending order. */
static int sweep(struct sampler *s)
{
	uint64_t t = s->env->now(), self = ep_cpuid_count - s->last_cpuids;
	struct ep_reason r;
	unsigned int i;
	uint32_t total;
	uint64_t cycles;

	s->last_cpuids = ep_cpuid_count;
	total = ep_total_count();
	cycles = ep_total_cycles();
	ep_samples_row_begin(s->out, t, total, cycles, self);
	for (i = 0; i < s->ncodes; i++) {
		ep_read_reason(s->codes[i], &r);
		ep_samples_reason(s->out, r.count, r.cycles);
	}
	s->sweep_ns += s->env->now() - t;
	return ep_samples_row_end(s->out);
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
	s.out = fopen(s.path, "w");
	if (!s.out) {
		logmsg("cannot write %s: %s", s.path, strerror(errno));
		return 1;
	}
	r = write_header(&s);
	if (r)
		goto write_error;
	logmsg("sampling %u reasons every %u ms into %s", s.ncodes,
	       o->interval_ms, s.path);

	start = env->now();
	next = start;
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
		env->sleep_until(next);
		if (ep_stop_requested)
			break;
	}
	if (fflush(s.out) || ferror(s.out)) {
		r = -EIO;
		goto write_error;
	}
	try_persist(&s);
	r = write_milestones(&s);
	if (r < 0)
		logmsg("cannot write milestones next to %s: %s", s.path,
		       strerror(-r));
	logmsg("%lu samples in %s, %d milestones%s; a sweep took %u CPUIDs and %.1f us on average",
	       rows, s.path, r < 0 ? 0 : r,
	       ep_stop_requested ? " (stopped by signal)" : "", 2 + 2 * s.ncodes,
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
	"  -i, --interval MS      sampling interval (default 50)\n"
	"  -r, --run-dir DIR      first output directory (default /run/exitprof)\n"
	"  -p, --persist DIR      move the files here once the root file system is\n"
	"                         writable (default /var/lib/exitprof/BOOT_ID;\n"
	"                         '' to stay in --run-dir)\n"
	"  -a, --after-boot SECS  stop SECS after boot has finished (default 10)\n"
	"  -f, --follow           keep sampling until SIGTERM\n"
	"  -n, --rows N           stop after N samples\n"
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
		.interval_ms = 50,
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
				fprintf(stderr, "exitprof sample: --interval '%s': not a number of milliseconds (1..3600000)\n", optarg);
				return 2;
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
				fprintf(stderr, "exitprof sample: --after-boot '%s': not a number of seconds (0..86400)\n", optarg);
				return 2;
			}
			o.after_boot_s = (int)v;
			break;
		case 'f':
			o.follow = true;
			break;
		case 'n':
			if (positive(optarg, ULONG_MAX, &v) || !v) {
				fprintf(stderr, "exitprof sample: --rows '%s': not a positive number\n", optarg);
				return 2;
			}
			o.max_rows = v;
			break;
		case 'h':
			fputs(sample_usage, stdout);
			return 0;
		default:
			fputs(sample_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "exitprof sample: unexpected argument '%s'\n%s",
			argv[optind], sample_usage);
		return 2;
	}
	if (!o.interval_ms) {
		fprintf(stderr, "exitprof sample: interval must be at least 1 ms\n");
		return 2;
	}
	return ep_sample_run(&o, &ep_real_env);
}

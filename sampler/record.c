// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitprof record: the host side of the exit counters (sampler/FORMAT.md).
 *
 * Runs as root on the KVM host and reads one VM's debugfs file
 * DEBUGFS/PID-FD/exit_stats (written by exit_stats_show() in the kernel:
 * "code name count cycles enabled|disabled" per defined reason, then
 * "total - count cycles -") at a fixed interval, with absolute-time sleeps on
 * a grid, into the samples format of the guest sampler: source=host, the
 * host's CLOCK_MONOTONIC, self_cpuid 0.  The file is opened, read and closed
 * for every row: an open file holds a reference on the VM, which would keep
 * it, and its directory, alive after QEMU has closed it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "record.h"

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL
#define DEBUGFS_MAGIC	0x64626720
#define STATS_MAX	(256 * 1024)	/* AMD's 150 lines are ~8 KiB */
#define NCODES_MAX	(KVM_EXIT_STATS_MAX_CODE + 1)

/* One read of exit_stats. */
struct stats {
	unsigned int n;
	uint32_t code[NCODES_MAX];
	uint64_t count[NCODES_MAX], cycles[NCODES_MAX];
	const char *name[NCODES_MAX];	/* into the buffer, until the next read */
	unsigned int line[NCODES_MAX];
	uint64_t total, total_cycles;
};

struct recorder {
	const struct ep_record_opts *o;
	const struct ep_env *env;
	char dir[PATH_MAX];		/* the VM's debugfs directory */
	char file[PATH_MAX + 16];	/* ... and its exit_stats */
	const char *name;		/* PID-FD, the last part of dir */
	ino_t dir_ino, file_ino;	/* 0 until the first read */
	uint32_t taxonomy;		/* 0 until the first read */
	struct stats first, cur;
	FILE *out;
	const char *outname;
	char buf[STATS_MAX + 1];
};

/* RD_NO_VM: cannot start (exit 3): no debugfs, permission denied. */
enum rd { RD_OK, RD_GONE, RD_ERROR, RD_NO_VM };

static uint64_t ns_of_s(unsigned long s)
{
	return (uint64_t)s * NSEC_PER_SEC;
}

/* PID-FD, as KVM names a VM's directory. */
static bool vm_name(const char *s, unsigned long *pid)
{
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '-' || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p)
		return false;
	if (pid)
		*pid = strtoul(s, NULL, 10);
	return true;
}

static bool is_dir(const char *parent, const struct dirent *d, ino_t *ino)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", parent, d->d_name);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return false;
	*ino = st.st_ino;
	return true;
}

/*
 * Why the kvm directory cannot be read, with the way out: debugfs not
 * mounted, kvm not loaded, or not root.
 */
static int debugfs_error(const char *debugfs, int e)
{
	char parent[PATH_MAX], *slash;
	struct statfs sf;

	if (e == EACCES || e == EPERM) {
		warnx("%s: %s: exitprof record must run as root", debugfs,
		      strerror(e));
		return EP_RECORD_NO_VM;
	}
	snprintf(parent, sizeof(parent), "%s", debugfs);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	if (e == ENOENT && !statfs(parent, &sf) && sf.f_type == DEBUGFS_MAGIC)
		warnx("%s: %s: debugfs is mounted but has no kvm directory: is kvm loaded?",
		      debugfs, strerror(e));
	else if (e == ENOENT)
		warnx("%s: %s: is debugfs mounted? (mount -t debugfs none /sys/kernel/debug)",
		      debugfs, strerror(e));
	else
		warnx("%s: %s", debugfs, strerror(e));
	return EP_RECORD_NO_VM;
}

static int set_vm(struct recorder *r, const char *dir)
{
	const char *slash;

	if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >= (int)sizeof(r->dir)) {
		warnx("%s: %s", dir, strerror(ENAMETOOLONG));
		return EP_RECORD_USAGE;
	}
	snprintf(r->file, sizeof(r->file), "%s/exit_stats", r->dir);
	slash = strrchr(r->dir, '/');
	r->name = slash && slash[1] ? slash + 1 : r->dir;
	return 0;
}

static int find_by_pid(struct recorder *r)
{
	const struct ep_record_opts *o = r->o;
	char found[1024] = "", first[NAME_MAX + 1] = "", path[PATH_MAX];
	unsigned long pid;
	struct dirent *d;
	unsigned int n = 0;
	ino_t ino;
	DIR *dh;

	dh = opendir(o->debugfs);
	if (!dh)
		return debugfs_error(o->debugfs, errno);
	while ((d = readdir(dh))) {
		if (!vm_name(d->d_name, &pid) || pid != o->pid ||
		    !is_dir(o->debugfs, d, &ino))
			continue;
		if (!n++)
			snprintf(first, sizeof(first), "%s", d->d_name);
		if (strlen(found) + strlen(d->d_name) + 2 < sizeof(found))
			strcat(strcat(found, " "), d->d_name);
	}
	closedir(dh);
	if (!n) {
		warnx("no VM of pid %lu in %s (its directory would be %lu-FD): is it a KVM guest, and its pid the QEMU process?",
		      o->pid, o->debugfs, o->pid);
		return EP_RECORD_NO_VM;
	}
	if (n > 1) {
		warnx("pid %lu has %u VMs in %s:%s; choose one with --vm-dir",
		      o->pid, n, o->debugfs, found);
		return EP_RECORD_NO_VM;
	}
	snprintf(path, sizeof(path), "%s/%s", o->debugfs, first);
	return set_vm(r, path);
}

static int find_by_dir(struct recorder *r)
{
	const char *d = r->o->vm_dir;
	char path[PATH_MAX];
	struct stat st;

	/* a bare PID-FD is a name in the kvm directory */
	if (!strchr(d, '/')) {
		snprintf(path, sizeof(path), "%s/%s", r->o->debugfs, d);
		d = path;
	}
	if (stat(d, &st)) {
		if (errno == ENOENT && !strchr(r->o->vm_dir, '/') &&
		    access(r->o->debugfs, F_OK))
			return debugfs_error(r->o->debugfs, errno);
		if (errno == EACCES)
			warnx("%s: %s: exitprof record must run as root", d,
			      strerror(errno));
		else
			warnx("no such VM directory: %s: %s", d, strerror(errno));
		return EP_RECORD_NO_VM;
	}
	if (!S_ISDIR(st.st_mode)) {
		warnx("%s: not a directory (a VM's directory is %s/PID-FD)", d,
		      r->o->debugfs);
		return EP_RECORD_NO_VM;
	}
	return set_vm(r, d);
}

/* The directory is gone, or another directory has taken its name. */
static bool vm_gone(const struct recorder *r)
{
	struct stat st;

	if (stat(r->dir, &st))
		return errno == ENOENT || errno == ENOTDIR;
	return r->dir_ino && st.st_ino != r->dir_ino;
}

static void quote_line(char *q, size_t qn, const char *s)
{
	size_t n = strcspn(s, "\n");

	snprintf(q, qn, "%.*s%s", (int)(n > 80 ? 80 : n), s, n > 80 ? "..." : "");
}

/* Splits @s at single spaces into at most @max fields; returns the count. */
static int split(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = s;
		s = strchr(s, ' ');
		if (!s)
			return n;
		*s++ = 0;
	}
}

static int malformed(const struct recorder *r, unsigned int ln,
		     const char *what, const char *line)
{
	char q[128];

	quote_line(q, sizeof(q), line);
	warnx("%s:%u: %s, found \"%s\"", r->file, ln, what, q);
	return -1;
}

/*
 * exit_stats_show()'s format: '#' comment lines, then one line per defined
 * reason in ascending order, "total - COUNT CYCLES -" last.
 */
static int parse_stats(const struct recorder *r, char *buf, size_t len,
		       struct stats *st)
{
	char *p = buf, *end = buf + len, *nl, *f[6], copy[128];
	unsigned long long code, v[2];
	unsigned int ln = 0;
	bool total = false;
	const char *why;
	int nf;

	st->n = 0;
	if (!len) {
		warnx("%s: empty: KVM has no exit reasons set up (is kvm_intel or kvm_amd loaded?)",
		      r->file);
		return -1;
	}
	for (; p < end; p = nl + 1) {
		ln++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return malformed(r, ln, "truncated line (no newline at the end)", p);
		*nl = 0;
		if (*p == '#')
			continue;
		snprintf(copy, sizeof(copy), "%.120s", p);
		if (total)
			return malformed(r, ln, "a line after the \"total\" line", copy);
		nf = split(p, f, 5);
		if (nf == 5 && !strcmp(f[0], "total")) {
			if (strcmp(f[1], "-") || strcmp(f[4], "-") ||
			    ep_parse_num(f[2], 0, UINT64_MAX, &v[0], &why) ||
			    ep_parse_num(f[3], 0, UINT64_MAX, &v[1], &why))
				return malformed(r, ln, "expected \"total - COUNT CYCLES -\"", copy);
			st->total = v[0];
			st->total_cycles = v[1];
			total = true;
			continue;
		}
		if (nf != 5 || ep_parse_num(f[0], 0, KVM_EXIT_STATS_MAX_CODE, &code, &why) ||
		    !*f[1] || ep_parse_num(f[2], 0, UINT64_MAX, &v[0], &why) ||
		    ep_parse_num(f[3], 0, UINT64_MAX, &v[1], &why) ||
		    (strcmp(f[4], "enabled") && strcmp(f[4], "disabled")))
			return malformed(r, ln, "expected \"CODE NAME COUNT CYCLES enabled|disabled\" (CODE at most 1027)", copy);
		if (st->n && code <= st->code[st->n - 1])
			return malformed(r, ln, "reasons must ascend", copy);
		st->code[st->n] = (uint32_t)code;
		st->name[st->n] = f[1];
		st->count[st->n] = v[0];
		st->cycles[st->n] = v[1];
		st->line[st->n] = ln;
		st->n++;
	}
	if (!total)
		return malformed(r, ln + 1, "expected the last line \"total - COUNT CYCLES -\" (truncated?)", "");
	if (!st->n) {
		warnx("%s: no reasons listed before the total", r->file);
		return -1;
	}
	return 0;
}

/*
 * The taxonomy is the vendor table, of the two this exitprof shares with
 * the kernel, that defines every listed code under the listed name.  Codes
 * above Intel's highest (85) exist only in AMD's table, and where the code
 * ranges overlap the names differ (0 is EXCEPTION_NMI or READ_CR0), so at
 * most one table fits.  If none does, the kernel's tables differ from this
 * exitprof's: an error naming the first line that disagrees with the table
 * the code range points to.  No guess.
 */
static int pick_taxonomy(struct recorder *r, const struct stats *st)
{
	static const uint32_t tax[] = { KVM_EXIT_STATS_TAXONOMY_VMX,
					KVM_EXIT_STATS_TAXONOMY_SVM };
	const char *name;
	unsigned int i, k;
	uint32_t t;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < st->n; i++) {
			name = ep_reason_name(tax[k], st->code[i]);
			if (!name || strcmp(name, st->name[i]))
				break;
		}
		if (i == st->n) {
			r->taxonomy = tax[k];
			return 0;
		}
	}
	t = st->code[st->n - 1] > kvm_exit_stats_vmx.max_code ?
		KVM_EXIT_STATS_TAXONOMY_SVM : KVM_EXIT_STATS_TAXONOMY_VMX;
	for (i = 0; i < st->n; i++) {
		name = ep_reason_name(t, st->code[i]);
		if (!name || strcmp(name, st->name[i]))
			break;
	}
	if (i == st->n)		/* cannot happen: it fits, found above */
		i = 0;
	name = ep_reason_name(t, st->code[i]);
	warnx("%s:%u: reason %" PRIu32 " %s: the %s %s%s; this exitprof's reason tables differ from the kernel's",
	      r->file, st->line[i], st->code[i], st->name[i],
	      ep_taxonomy_name(t), name ? "name it " : "do not define it",
	      name ? name : "");
	return -1;
}

/* Later reads list the very reasons of the first one. */
static int same_reasons(const struct recorder *r, const struct stats *st)
{
	unsigned int i;

	for (i = 0; i < st->n && i < r->first.n; i++)
		if (st->code[i] != r->first.code[i] ||
		    strcmp(st->name[i], ep_reason_name(r->taxonomy, st->code[i])))
			break;
	if (i == st->n && i == r->first.n)
		return 0;
	warnx("%s:%u: the list of reasons changed since the first read (%u reasons then, %u now)",
	      r->file, i < st->n ? st->line[i] : st->line[st->n - 1],
	      r->first.n, st->n);
	return -1;
}

/*
 * Reads and parses exit_stats; *t is the host's CLOCK_MONOTONIC just
 * before the read(2) in which KVM sums the counters.  RD_GONE when the VM's
 * directory or file is no longer there (or another VM has taken its name).
 */
static enum rd read_stats(struct recorder *r, struct stats *st, uint64_t *t)
{
	size_t len = 0;
	struct stat fs;
	ssize_t n;
	int fd, e;

	fd = open(r->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENOTDIR || vm_gone(r))
			return RD_GONE;
		if (e == EACCES || e == EPERM) {
			warnx("%s: %s: exitprof record must run as root",
			      r->file, strerror(e));
			return RD_NO_VM;
		}
		warnx("%s: %s", r->file, strerror(e));
		return RD_ERROR;
	}
	if (fstat(fd, &fs))
		fs.st_ino = 0;
	if (r->file_ino && fs.st_ino && fs.st_ino != r->file_ino) {
		close(fd);	/* a new VM under the old name */
		return RD_GONE;
	}
	*t = r->env->now();
	do {
		n = read(fd, r->buf + len, STATS_MAX - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 && len < STATS_MAX);
	e = errno;
	close(fd);
	if (n < 0) {
		if (vm_gone(r))
			return RD_GONE;
		warnx("%s: read: %s", r->file, strerror(e));
		return e == EACCES || e == EPERM ? RD_NO_VM : RD_ERROR;
	}
	if (len >= STATS_MAX) {
		warnx("%s: larger than %d bytes: not an exit_stats file",
		      r->file, STATS_MAX);
		return RD_ERROR;
	}
	r->buf[len] = 0;
	if (parse_stats(r, r->buf, len, st))
		return RD_ERROR;
	if (!r->file_ino) {
		r->file_ino = fs.st_ino;
		if (pick_taxonomy(r, st))
			return RD_ERROR;
	} else if (same_reasons(r, st)) {
		return RD_ERROR;
	} else if (st->total < r->first.total) {
		return RD_GONE;	/* a total that falls: another VM */
	}
	return RD_OK;
}

static int write_row(struct recorder *r, uint64_t t, const struct stats *st)
{
	unsigned int i;

	/* counts as their low 32 bits, as the guest's leaves give them */
	ep_samples_row_begin(r->out, t, (uint32_t)st->total, st->total_cycles, 0);
	for (i = 0; i < st->n; i++)
		ep_samples_reason(r->out, (uint32_t)st->count[i], st->cycles[i]);
	if (ep_samples_row_end(r->out)) {
		warn("write error on %s", r->outname);
		return -1;
	}
	return 0;
}

static int write_header(struct recorder *r, bool created, uint64_t after_ns,
			uint64_t created_ns)
{
	char extra[NAME_MAX + 64];
	struct ep_samples_meta m = {
		.taxonomy = r->taxonomy,
		.max_reason = r->first.code[r->first.n - 1],
		.interval_ms = r->o->interval_ms,
		.sweep_cpuids = 0,
		.source = "host",
		.extra = extra,
	};

	if (created)
		snprintf(extra, sizeof(extra),
			 "vm=%s created_after_ns=%" PRIu64 " created_ns=%" PRIu64,
			 r->name, after_ns, created_ns);
	else
		snprintf(extra, sizeof(extra), "vm=%s", r->name);
	if (ep_samples_header(r->out, &m, r->first.code, r->first.n)) {
		warn("write error on %s", r->outname);
		return -1;
	}
	return 0;
}

/* The VMs in DEBUGFS now: names and inodes, for --next to tell new ones. */
struct vmset {
	unsigned int n, cap;
	struct vmseen {
		char name[32];
		ino_t ino;
	} *v;
};

static bool vmset_has(const struct vmset *s, const char *name, ino_t ino)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].ino == ino && !strcmp(s->v[i].name, name))
			return true;
	return false;
}

static int vmset_add(struct vmset *s, const char *name, ino_t ino)
{
	struct vmseen *v;

	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap * 2 + 16) * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = s->cap * 2 + 16;
	}
	snprintf(s->v[s->n].name, sizeof(s->v[s->n].name), "%.31s", name);
	s->v[s->n++].ino = ino;
	return 0;
}

/*
 * One listing of DEBUGFS.  Every VM not in @seen is added to it; the first
 * of them is put in @pick (empty if none).  Returns the number of new VMs,
 * or -errno if the directory cannot be read.
 */
static int scan(const char *debugfs, struct vmset *seen, bool initial,
		char *pick, size_t pickn, ino_t *pick_ino)
{
	struct dirent *d;
	int n = 0;
	ino_t ino;
	DIR *dh;

	*pick = 0;
	dh = opendir(debugfs);
	if (!dh)
		return -errno;
	while ((d = readdir(dh))) {
		if (!vm_name(d->d_name, NULL) || strlen(d->d_name) >= 32 ||
		    !is_dir(debugfs, d, &ino) || vmset_has(seen, d->d_name, ino))
			continue;
		if (vmset_add(seen, d->d_name, ino)) {
			closedir(dh);
			return -ENOMEM;
		}
		if (!n++) {
			snprintf(pick, pickn, "%s", d->d_name);
			*pick_ino = ino;
		} else if (!initial) {
			warnx("several new VMs at once: following %s, not %s",
			      pick, d->d_name);
		}
	}
	closedir(dh);
	return n;
}

static void sleep_until(const struct ep_env *env, uint64_t t)
{
	while (!ep_stop_requested && env->now() < t)
		env->sleep_until(t);
}

/*
 * --next: lists DEBUGFS every EP_RECORD_POLL_NS until a VM directory that
 * was not there at the start appears, then reads its exit_stats as soon as
 * KVM has created it.  KVM created it after *after, the start of the last
 * listing that did not show it, and before *created, right after the
 * listing that did.  Returns RD_OK with the first read in r->first at *t,
 * RD_GONE when stopped by a signal, or an error.
 */
static enum rd wait_next(struct recorder *r, uint64_t *after,
			 uint64_t *created, uint64_t *t)
{
	const struct ep_env *env = r->env;
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct vmset seen = { 0 };
	enum rd rd = RD_GONE;
	uint64_t before = env->now();
	ino_t ino = 0;
	int n;

	n = scan(r->o->debugfs, &seen, true, name, sizeof(name), &ino);
	if (n < 0) {
		debugfs_error(r->o->debugfs, -n);
		rd = -n == ENOMEM ? RD_ERROR : RD_NO_VM;
		goto out;
	}
	while (!ep_stop_requested) {
		sleep_until(env, env->now() + EP_RECORD_POLL_NS);
		if (ep_stop_requested)
			break;
		*after = before;
		before = env->now();
		n = scan(r->o->debugfs, &seen, false, name, sizeof(name), &ino);
		*created = env->now();
		if (n < 0) {
			/* kvm unloaded meanwhile, or out of memory */
			warnx("%s: %s", r->o->debugfs, strerror(-n));
			rd = RD_ERROR;
			break;
		}
		if (!n)
			continue;
		snprintf(path, sizeof(path), "%s/%s", r->o->debugfs, name);
		set_vm(r, path);
		r->dir_ino = ino;
		for (;;) {
			rd = read_stats(r, &r->first, t);
			if (rd != RD_GONE || ep_stop_requested)
				goto out;
			if (vm_gone(r))
				break;
			/* KVM creates the directory, then the files in it */
			sleep_until(env, env->now() + EP_RECORD_FILE_POLL_NS);
		}
		warnx("%s went away before its first read; waiting for the next VM",
		      r->dir);
		rd = RD_GONE;
		r->dir_ino = 0;
	}
out:
	free(seen.v);
	return rd;
}

static int open_output(struct recorder *r)
{
	const char *o = r->o->output;

	if (!o || !strcmp(o, "-")) {
		r->out = stdout;
		r->outname = "standard output";
		return 0;
	}
	r->outname = o;
	r->out = fopen(o, "w");
	if (!r->out) {
		warn("cannot write %s", o);
		return -1;
	}
	return 0;
}

static int close_output(struct recorder *r)
{
	int bad = fflush(r->out) || ferror(r->out);

	if (r->out != stdout && fclose(r->out))
		bad = 1;
	r->out = NULL;
	if (bad)
		warn("write error on %s", r->outname);
	return bad ? EP_RECORD_ERROR : EP_RECORD_OK;
}

static int status_of(enum rd rd)
{
	return rd == RD_NO_VM ? EP_RECORD_NO_VM : EP_RECORD_ERROR;
}

static int record(struct recorder *r)
{
	const struct ep_record_opts *o = r->o;
	const struct ep_env *env = r->env;
	uint64_t interval = (uint64_t)o->interval_ms * NSEC_PER_MSEC;
	uint64_t after = 0, created = 0, t = 0, start, next, now;
	uint64_t deadline = UINT64_MAX;
	const char *why = "the VM went away";
	unsigned long rows = 0;
	enum rd rd;
	int status;

	if (o->next) {
		DIR *dh = opendir(o->debugfs);

		if (!dh)
			return debugfs_error(o->debugfs, errno);
		closedir(dh);
		status = open_output(r) ? EP_RECORD_ERROR : 0;
		if (status)
			return status;
		rd = wait_next(r, &after, &created, &t);
		if (rd == RD_GONE) {
			warnx("stopped by a signal before a VM appeared; no samples in %s",
			      r->outname);
			return close_output(r);
		}
	} else {
		status = o->pid ? find_by_pid(r) : find_by_dir(r);
		if (status)
			return status;
		status = open_output(r) ? EP_RECORD_ERROR : 0;
		if (status)
			return status;
		rd = read_stats(r, &r->first, &t);
		if (rd == RD_GONE && vm_gone(r)) {
			warnx("%s went away before its first read", r->dir);
			close_output(r);
			return EP_RECORD_NO_VM;
		}
		if (rd == RD_GONE) {
			warnx("%s: no such file: is the kvm module the exitprof-patched one?",
			      r->file);
			close_output(r);
			return EP_RECORD_NO_VM;
		}
	}
	if (rd != RD_OK) {
		close_output(r);
		return status_of(rd);
	}
	if (!r->dir_ino) {
		struct stat st;

		if (!stat(r->dir, &st))
			r->dir_ino = st.st_ino;
	}
	if (write_header(r, o->next, after, created) ||
	    write_row(r, t, &r->first)) {
		close_output(r);
		return EP_RECORD_ERROR;
	}
	rows++;
	warnx("following %s (%s, %u reasons) every %u ms into %s", r->dir,
	      ep_taxonomy_name(r->taxonomy), r->first.n, o->interval_ms,
	      r->outname);

	/* the grid starts at the first row: at the VM's creation with --next */
	start = next = t;
	if (o->duration_s)
		deadline = start + ns_of_s(o->duration_s);
	for (;;) {
		if (ep_stop_requested) {
			why = "stopped by a signal";
			break;
		}
		now = env->now();
		/* missed ticks are skipped, as the guest sampler does */
		next = ep_next_tick(start, interval, now > next ? now : next);
		if (next > deadline) {
			why = "--duration reached";
			break;
		}
		sleep_until(env, next);
		if (ep_stop_requested) {
			why = "stopped by a signal";
			break;
		}
		rd = read_stats(r, &r->cur, &t);
		if (rd == RD_GONE)
			break;
		if (rd != RD_OK) {
			warnx("stopping: %lu rows in %s", rows, r->outname);
			close_output(r);
			return status_of(rd);
		}
		if (write_row(r, t, &r->cur)) {
			close_output(r);
			return EP_RECORD_ERROR;
		}
		rows++;
	}
	status = close_output(r);
	warnx("%lu rows in %s; %s", rows, r->outname, why);
	return status;
}

int ep_record_run(const struct ep_record_opts *o, const struct ep_env *env)
{
	struct recorder *r;
	int status;

	r = calloc(1, sizeof(*r));
	if (!r) {
		warn(NULL);
		return EP_RECORD_ERROR;
	}
	r->o = o;
	r->env = env;
	ep_stop_requested = 0;
	ep_catch_stop_signals();
	status = record(r);
	free(r);
	return status;
}

static const char record_usage[] =
	"usage: exitprof record (-p PID | --vm-dir DIR | --next) [-o FILE]\n"
	"                       [-i MS] [--duration S] [--debugfs DIR]\n"
	"\n"
	"Record one VM's exit counters on the KVM host: read its debugfs file\n"
	"exit_stats at a fixed interval into the samples format of the guest's\n"
	"`exitprof sample` (sampler/FORMAT.md; metadata source=host, the host's\n"
	"CLOCK_MONOTONIC). Every row is flushed as it is written. Stops when the\n"
	"VM goes away, after --duration, or on SIGTERM or SIGINT.\n"
	"\n"
	"  -p, --pid PID        the VM of this QEMU process: DEBUGFS/PID-FD, which\n"
	"                       must be the only one of that pid\n"
	"      --vm-dir DIR     the VM's debugfs directory (a bare PID-FD is taken\n"
	"                       in DEBUGFS)\n"
	"      --next           wait for the next VM to be created (lists DEBUGFS\n"
	"                       every 1 ms) and record from its creation, before\n"
	"                       its first exit (on a busy host, run it with\n"
	"                       chrt -f 1 so that it wakes on time)\n"
	"  -o, --output FILE    where the samples go (default: standard output)\n"
	"  -i, --interval MS    sampling interval, 1..3600000 (default 10)\n"
	"      --duration S     stop S seconds after the first row, 1..31536000\n"
	"                       (default: when the VM goes away)\n"
	"      --debugfs DIR    KVM's debugfs directory, DEBUGFS\n"
	"                       (default " EP_RECORD_DEBUGFS ")\n"
	"  -h, --help           this text\n"
	"\n"
	"Requires root (debugfs is root's), debugfs mounted (mount -t debugfs none\n"
	"/sys/kernel/debug) and the exitprof-patched kvm module, which adds\n"
	"exit_stats to every VM's directory. Costs one open, read and close per\n"
	"interval on the host and no exits in the VM (self_cpuid is 0).\n"
	"\n"
	"Exit status: 0 the VM went away, --duration passed, or a signal (every\n"
	"row read is in the output); 1 a read or write error, or exit_stats\n"
	"content this exitprof does not know (the rows before it are kept);\n"
	"2 usage error; 3 no VM to record: no kvm debugfs directory, no such VM,\n"
	"no exit_stats, or permission denied (not root).\n";

int ep_record_main(int argc, char **argv, const struct ep_env *env)
{
	enum { OPT_VM_DIR = 256, OPT_NEXT, OPT_DURATION, OPT_DEBUGFS };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "vm-dir", required_argument, NULL, OPT_VM_DIR },
		{ "next", no_argument, NULL, OPT_NEXT },
		{ "output", required_argument, NULL, 'o' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ep_record_opts o = {
		.debugfs = EP_RECORD_DEBUGFS,
		.interval_ms = 10,
	};
	unsigned long long v;
	const char *why;
	int c, chosen = 0;

	program_invocation_short_name = (char *)"exitprof record";
	argv[0] = (char *)"exitprof record";	/* getopt's messages */
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:o:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ep_parse_num(optarg, 1, 4194304, &v, &why))
				return ep_usage_error("record", "--pid '%s': %s (a process id, 1..4194304)",
						   optarg, why);
			o.pid = (unsigned long)v;
			chosen++;
			break;
		case OPT_VM_DIR:
			if (!*optarg)
				return ep_usage_error("record", "--vm-dir '': empty");
			o.vm_dir = optarg;
			chosen++;
			break;
		case OPT_NEXT:
			o.next = true;
			chosen++;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'i':
			if (ep_parse_num(optarg, 1, 3600000, &v, &why))
				return ep_usage_error("record", "--interval '%s': %s (milliseconds, 1..3600000)",
						   optarg, why);
			o.interval_ms = (unsigned int)v;
			break;
		case OPT_DURATION:
			if (ep_parse_num(optarg, 1, 31536000, &v, &why))
				return ep_usage_error("record", "--duration '%s': %s (seconds, 1..31536000)",
						   optarg, why);
			o.duration_s = (unsigned long)v;
			break;
		case OPT_DEBUGFS:
			o.debugfs = optarg;
			break;
		case 'h':
			fputs(record_usage, stdout);
			return 0;
		default:	/* getopt_long said what */
			return ep_usage_hint("record");
		}
	}
	if (optind != argc)
		return ep_usage_error("record", "unexpected argument '%s'", argv[optind]);
	if (chosen != 1)
		return ep_usage_error("record", "choose the VM with one of --pid, --vm-dir or --next");
	return ep_record_run(&o, env);
}

int exitprof_record(int argc, char **argv)
{
	return ep_record_main(argc, argv, &ep_real_env);
}

// SPDX-License-Identifier: GPL-2.0-only
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "leaves.h"	/* ep_reason_name(): the one table of reason names */
#include "profile.h"

const char *const epa_ms_names[EPA_MS_COUNT] = {
	[EPA_MS_KERNEL] = "kernel",
	[EPA_MS_INITRD] = "initrd",
	[EPA_MS_USERSPACE] = "userspace",
	[EPA_MS_SYSINIT] = "sysinit.target",
	[EPA_MS_BASIC] = "basic.target",
	[EPA_MS_MULTIUSER] = "multi-user.target",
	[EPA_MS_FINISHED] = "finished",
};

static const char *const fixed_names[EPA_FIXED_COLS] = {
	"time_ns", "total", "cycles", "self_cpuid"
};

/* Split off the next comma-separated field of [*p, end). */
static bool next_field(const char **p, const char *end, const char **f,
		       size_t *n)
{
	const char *c;

	if (!*p)
		return false;
	c = memchr(*p, ',', (size_t)(end - *p));
	*f = *p;
	*n = c ? (size_t)(c - *p) : (size_t)(end - *p);
	*p = c ? c + 1 : NULL;
	return true;
}

static bool field_is(const char *f, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(f, want, n);
}

/*
 * Line 1 of either file: the magic with a version we know.  The version is
 * told apart from a wrong file so that a newer profile says so.
 */
static int check_magic(struct epa_lines *l, const char *magic,
		       const char *what, char *err)
{
	char *line, q[200];
	size_t len, ml = strlen(magic);
	uint64_t v;
	int r = epa_lines_next(l, &line, &len, err);

	if (r < 0)
		return -1;
	if (!r) {
		epa_errf(err, "%s:1: empty file: expected \"%s%d\"", l->path,
			 magic, EPA_FORMAT_VERSION);
		return -1;
	}
	if (len > ml && !memcmp(line, magic, ml) &&
	    epa_parse_u64(line + ml, len - ml, UINT32_MAX, &v) == EPA_NUM_OK) {
		if (v == EPA_FORMAT_VERSION && !l->truncated)
			return 0;
		if (v != EPA_FORMAT_VERSION) {
			epa_errf(err,
				 "%s:1: %s format version %" PRIu64
				 " is not supported (this exitprof reads v%d)",
				 l->path, what, v, EPA_FORMAT_VERSION);
			return -1;
		}
	}
	if (l->truncated) {
		epa_errf(err, "%s:1: truncated: the file ends inside its first line",
			 l->path);
		return -1;
	}
	epa_quote(q, sizeof(q), line, len);
	epa_errf(err, "%s:1: not an exitprof %s file: expected \"%s%d\", found \"%s\"",
		 l->path, what, magic, EPA_FORMAT_VERSION, q);
	return -1;
}

/* A header line that must be there, whole. */
static int header_line(struct epa_lines *l, const char *what, char **line,
		       size_t *len, char *err)
{
	int r = epa_lines_next(l, line, len, err);

	if (r < 0)
		return -1;
	if (!r) {
		epa_errf(err, "%s:%lu: the file ends before its %s", l->path,
			 l->line + 1, what);
		return -1;
	}
	if (l->truncated) {
		epa_errf(err, "%s:%lu: truncated %s (no newline at the end of the file)",
			 l->path, l->line, what);
		return -1;
	}
	return 0;
}

static int parse_meta(struct epa_samples *s, const char *line, size_t len,
		      char *err)
{
	const char *p = line + 2, *end = line + len, *path = s->in.path;
	bool have_taxonomy = false;
	unsigned int created = 0;
	char q[200];

	if (len < 2 || memcmp(line, "# ", 2)) {
		epa_quote(q, sizeof(q), line, len);
		epa_errf(err, "%s:2: expected the metadata line \"# taxonomy=...\", found \"%s\"",
			 path, q);
		return -1;
	}
	while (p < end) {
		const char *tok = p, *eq, *val;
		size_t n, kn, vn;
		uint64_t v = 0;
		enum epa_num num;

		while (p < end && *p != ' ')
			p++;
		n = (size_t)(p - tok);
		while (p < end && *p == ' ')
			p++;
		if (!n)
			continue;
		eq = memchr(tok, '=', n);
		if (!eq) {
			epa_quote(q, sizeof(q), tok, n);
			epa_errf(err, "%s:2: metadata \"%s\" is not key=value",
				 path, q);
			return -1;
		}
		kn = (size_t)(eq - tok);
		val = eq + 1;
		vn = n - kn - 1;
		epa_quote(q, sizeof(q), tok, n);
		num = epa_parse_u64(val, vn, UINT32_MAX, &v);
		if (field_is(tok, kn, "taxonomy")) {
			if (num != EPA_NUM_OK || !ep_taxonomy_name((uint32_t)v)) {
				epa_errf(err, "%s:2: metadata %s: unknown taxonomy (1 = Intel SDM, 2 = AMD APM)",
					 path, q);
				return -1;
			}
			s->meta.taxonomy = (uint32_t)v;
			have_taxonomy = true;
		} else if (field_is(tok, kn, "max_reason") ||
			   field_is(tok, kn, "interval_ms") ||
			   field_is(tok, kn, "sweep_cpuids")) {
			if (num != EPA_NUM_OK) {
				epa_errf(err, "%s:2: metadata %s: not a number",
					 path, q);
				return -1;
			}
			if (tok[0] == 'm')
				s->meta.max_reason = (uint32_t)v;
			else if (tok[0] == 'i')
				s->meta.interval_ms = (uint32_t)v;
			else
				s->meta.sweep_cpuids = (uint32_t)v;
		} else if (field_is(tok, kn, "scope")) {
			if (!field_is(val, vn, "vm") && !field_is(val, vn, "host")) {
				epa_errf(err, "%s:2: metadata %s: scope is vm or host",
					 path, q);
				return -1;
			}
			s->meta.host_scope = val[0] == 'h';
		} else if (field_is(tok, kn, "source")) {
			if (!field_is(val, vn, "guest") && !field_is(val, vn, "host")) {
				epa_errf(err, "%s:2: metadata %s: source is guest or host",
					 path, q);
				return -1;
			}
			s->meta.source_host = val[0] == 'h';
		} else if (field_is(tok, kn, "created_ns") ||
			   field_is(tok, kn, "created_after_ns")) {
			if (epa_parse_u64(val, vn, UINT64_MAX, &v) != EPA_NUM_OK) {
				epa_errf(err, "%s:2: metadata %s: not a number",
					 path, q);
				return -1;
			}
			if (kn == strlen("created_ns"))
				s->meta.created_ns = v, created |= 1;
			else
				s->meta.created_after_ns = v, created |= 2;
		} else if (field_is(tok, kn, "vm")) {
			snprintf(s->meta.vm, sizeof(s->meta.vm), "%.*s",
				 (int)(vn < 40 ? vn : 40), val);
		} else if (field_is(tok, kn, "clock")) {
			/* milestones are CLOCK_MONOTONIC: another base cannot be split */
			if (!field_is(val, vn, "CLOCK_MONOTONIC")) {
				epa_errf(err, "%s:2: metadata %s: samples must use CLOCK_MONOTONIC, the milestones' clock",
					 path, q);
				return -1;
			}
		}
		/* other keys: ignored, as FORMAT.md asks */
	}
	s->meta.have_created = created & 1;
	if (!have_taxonomy) {
		epa_errf(err, "%s:2: metadata has no taxonomy=1|2: cannot name the reasons",
			 path);
		return -1;
	}
	return 0;
}

/* "n<code>" or "cyc<code>" with a canonical decimal code. */
static bool reason_col(const char *f, size_t n, const char *prefix,
		       uint32_t *code)
{
	size_t pl = strlen(prefix);
	uint64_t v;

	if (n <= pl || memcmp(f, prefix, pl))
		return false;
	if (f[pl] == '0' && n > pl + 1)
		return false;
	if (epa_parse_u64(f + pl, n - pl, UINT32_MAX, &v) != EPA_NUM_OK)
		return false;
	*code = (uint32_t)v;
	return true;
}

static int parse_header(struct epa_samples *s, const char *line, size_t len,
			char *err)
{
	const char *p = line, *end = line + len, *f, *path = s->in.path;
	const uint32_t cpuid_code =
		s->meta.taxonomy == KVM_EXIT_STATS_TAXONOMY_SVM ? 0x72 : 10;
	unsigned long ln = s->in.line;
	size_t n, col = 0, commas = 0, i, defined = 0;
	char q[200], want[32];
	uint32_t code, last = 0;

	for (i = 0; i < len; i++)
		commas += line[i] == ',';
	/* an upper bound on the pairs, enough for the arrays */
	s->codes = calloc(commas / 2 + 1, sizeof(*s->codes));
	if (!s->codes)
		return -2;
	s->cpuid = -1;
	while (next_field(&p, end, &f, &n)) {
		col++;
		epa_quote(q, sizeof(q), f, n);
		if (col <= EPA_FIXED_COLS) {
			if (!field_is(f, n, fixed_names[col - 1])) {
				epa_errf(err, "%s:%lu: column %zu: expected \"%s\", found \"%s\"",
					 path, ln, col, fixed_names[col - 1], q);
				return -1;
			}
			continue;
		}
		if ((col - EPA_FIXED_COLS) % 2 == 0) {	/* cyc<code> */
			snprintf(want, sizeof(want), "cyc%" PRIu32, last);
			if (!field_is(f, n, want)) {
				epa_errf(err, "%s:%lu: column %zu: expected \"%s\" after \"n%" PRIu32 "\", found \"%s\"",
					 path, ln, col, want, last, q);
				return -1;
			}
			continue;
		}
		if (!reason_col(f, n, "n", &code)) {
			epa_errf(err, "%s:%lu: column %zu: expected a reason column \"n<code>\", found \"%s\"",
				 path, ln, col, q);
			return -1;
		}
		if (s->nreasons && code <= last) {
			epa_errf(err, "%s:%lu: column %zu (%s): reason %" PRIu32 " after reason %" PRIu32 ": reasons must ascend",
				 path, ln, col, q, code, last);
			return -1;
		}
		if (!ep_reason_name(s->meta.taxonomy, code)) {
			epa_errf(err, "%s:%lu: column %zu (%s): reason %" PRIu32 " is not defined by the %s",
				 path, ln, col, q, code,
				 ep_taxonomy_name(s->meta.taxonomy));
			return -1;
		}
		if (s->meta.max_reason && code > s->meta.max_reason) {
			epa_errf(err, "%s:%lu: column %zu (%s): reason %" PRIu32 " is above max_reason=%" PRIu32,
				 path, ln, col, q, code, s->meta.max_reason);
			return -1;
		}
		if (code == cpuid_code)
			s->cpuid = (int)s->nreasons;
		s->codes[s->nreasons++] = code;
		last = code;
	}
	if (col < EPA_FIXED_COLS) {
		epa_errf(err, "%s:%lu: column %zu: missing, expected \"%s\"",
			 path, ln, col + 1, fixed_names[col]);
		return -1;
	}
	if ((col - EPA_FIXED_COLS) % 2) {
		epa_errf(err, "%s:%lu: column %zu: missing, expected \"cyc%" PRIu32 "\" after \"n%" PRIu32 "\"",
			 path, ln, col + 1, last, last);
		return -1;
	}
	/*
	 * FORMAT.md has a column for every defined reason; a profile with
	 * fewer is still readable, and the summary says which were missing.
	 */
	for (i = 0; i <= KVM_EXIT_STATS_MAX_CODE; i++)
		defined += ep_reason_name(s->meta.taxonomy, (uint32_t)i) != NULL;
	s->missing = defined - s->nreasons;
	return 0;
}

int epa_samples_open(struct epa_samples *s, FILE *f, const char *path,
		     char *err)
{
	bool accept = s->accept_truncated;
	uint64_t base = s->time_base;
	char *line;
	size_t len;
	int i, r;

	memset(s, 0, sizeof(*s));
	s->accept_truncated = accept;
	s->time_base = base;
	if (epa_lines_init(&s->in, f, path))
		return -2;
	if (check_magic(&s->in, EPA_SAMPLES_MAGIC, "samples", err))
		return -1;
	if (header_line(&s->in, "metadata line", &line, &len, err))
		return -1;
	if (parse_meta(s, line, len, err))
		return -1;
	if (header_line(&s->in, "column header", &line, &len, err))
		return -1;
	r = parse_header(s, line, len, err);
	if (r)
		return r;
	for (i = 0; i < 2; i++) {
		s->row[i].n = calloc(s->nreasons + 1, sizeof(*s->row[i].n));
		s->row[i].cyc = calloc(s->nreasons + 1, sizeof(*s->row[i].cyc));
		if (!s->row[i].n || !s->row[i].cyc)
			return -2;
	}
	s->cur = &s->row[0];
	return 0;
}

void epa_samples_close(struct epa_samples *s)
{
	int i;

	epa_lines_free(&s->in);
	free(s->codes);
	for (i = 0; i < 2; i++) {
		free(s->row[i].n);
		free(s->row[i].cyc);
	}
	memset(s, 0, sizeof(*s));
}

void epa_samples_colname(const struct epa_samples *s, size_t col, char *out,
			 size_t outlen)
{
	size_t k;

	if (col >= 1 && col <= EPA_FIXED_COLS) {
		snprintf(out, outlen, "%s", fixed_names[col - 1]);
		return;
	}
	k = (col - EPA_FIXED_COLS - 1) / 2;
	if (col < 1 || k >= s->nreasons) {
		snprintf(out, outlen, "?");
		return;
	}
	snprintf(out, outlen, "%s%" PRIu32,
		 (col - EPA_FIXED_COLS) % 2 ? "n" : "cyc", s->codes[k]);
}

/* "file:line: column N (name): " for the current row. */
static int col_prefix(const struct epa_samples *s, size_t col, char *out,
		      size_t outlen)
{
	char name[32];

	epa_samples_colname(s, col, name, sizeof(name));
	return snprintf(out, outlen, "%s:%lu: column %zu (%s)", s->in.path,
			s->in.line, col, name);
}

static int bad_number(const struct epa_samples *s, size_t col,
		      enum epa_num why, bool bits32, const char *f, size_t n,
		      char *err)
{
	char pre[160], q[200];

	col_prefix(s, col, pre, sizeof(pre));
	epa_quote(q, sizeof(q), f, n);
	if (why == EPA_NUM_EMPTY)
		epa_errf(err, "%s: empty field", pre);
	else if (why == EPA_NUM_NOT_NUMBER)
		epa_errf(err, "%s: not a number: \"%s\"", pre, q);
	else
		epa_errf(err, "%s: out of range for %s: \"%s\"", pre,
			 bits32 ? "a 32-bit count" : "64 bits", q);
	return -1;
}

/* Later rows must move forward: time strictly, cycles never back. */
static int check_order(const struct epa_samples *s, size_t col, uint64_t now,
		       uint64_t before, char *err)
{
	char pre[160];
	bool time = col == EPA_COL_TIME + 1;

	if (time ? now > before : now >= before)
		return 0;
	col_prefix(s, col, pre, sizeof(pre));
	epa_errf(err, "%s: %" PRIu64 " is %s the previous row's %" PRIu64 " (line %lu)%s",
		 pre, now, time ? "not after" : "less than", before,
		 s->prev->line,
		 time ? ": time_ns must increase" : ": 64-bit cycles do not go backwards");
	return -1;
}

/*
 * A 32-bit count's delta is taken modulo 2^32, so a wrap is harmless; but
 * more than 2^31 exits in one interval is no wrap: a count went back or
 * the row is corrupt (FORMAT.md).  Say so instead of wrapping silently.
 */
static int check_delta(const struct epa_samples *s, size_t col, uint64_t now,
		       uint32_t before, char *err)
{
	uint32_t d = (uint32_t)now - before;
	char pre[160];

	if (d <= 0x80000000u)
		return 0;
	col_prefix(s, col, pre, sizeof(pre));
	epa_errf(err, "%s: %" PRIu64 " after the previous row's %" PRIu32 " (line %lu) is a delta of %" PRIu32 " (mod 2^32), more than 2^31 in one interval: too large to be a wrap",
		 pre, now, before, s->prev->line, d);
	return -1;
}

int epa_samples_next(struct epa_samples *s, char *err)
{
	const size_t ncols = EPA_FIXED_COLS + 2 * s->nreasons;
	struct epa_row *row;
	const char *p, *end, *f;
	size_t len, n, col;
	char *line;
	int r;

	r = epa_lines_next(&s->in, &line, &len, err);
	if (r <= 0) {
		if (!r && !s->rows) {
			epa_errf(err, "%s:%lu: no samples after the column header",
				 s->in.path, s->in.line + 1);
			return -1;
		}
		return r;
	}
	if (s->in.truncated) {
		if (s->accept_truncated && s->rows) {
			s->stopped_truncated = true;
			return 0;
		}
		epa_errf(err, "%s:%lu: truncated last line (no newline at the end of the file)",
			 s->in.path, s->in.line);
		return -1;
	}
	if (!len) {
		epa_errf(err, "%s:%lu: empty line", s->in.path, s->in.line);
		return -1;
	}
	/* fill the older buffer: the newest row stays as prev */
	row = s->rows ? (s->cur == &s->row[0] ? &s->row[1] : &s->row[0])
		      : s->cur;
	s->prev = s->rows ? s->cur : NULL;
	p = line;
	end = line + len;
	for (col = 1; next_field(&p, end, &f, &n); col++) {
		const bool bits32 = col == EPA_COL_TOTAL + 1 ||
			(col > EPA_FIXED_COLS && (col - EPA_FIXED_COLS) % 2);
		enum epa_num why;
		uint64_t v;

		if (col > ncols) {
			epa_errf(err, "%s:%lu: column %zu: extra column: the header has %zu",
				 s->in.path, s->in.line, col, ncols);
			return -1;
		}
		why = epa_parse_u64(f, n, bits32 ? UINT32_MAX : UINT64_MAX, &v);
		if (why != EPA_NUM_OK)
			return bad_number(s, col, why, bits32, f, n, err);
		switch (col - 1) {
		case EPA_COL_TIME:
			if (v < s->time_base) {
				char pre[160];

				col_prefix(s, col, pre, sizeof(pre));
				epa_errf(err, "%s: %" PRIu64 " is before the series' origin %" PRIu64 " (created_ns)",
					 pre, v, s->time_base);
				return -1;
			}
			v -= s->time_base;
			if (s->prev && check_order(s, col, v, s->prev->time_ns, err))
				return -1;
			row->time_ns = v;
			break;
		case EPA_COL_TOTAL:
			if (s->prev && check_delta(s, col, v, s->prev->total, err))
				return -1;
			row->total = (uint32_t)v;
			break;
		case EPA_COL_CYCLES:
			if (s->prev && check_order(s, col, v, s->prev->cycles, err))
				return -1;
			row->cycles = v;
			break;
		case EPA_COL_SELF:
			row->self_cpuid = v;
			break;
		default: {
			size_t k = (col - EPA_FIXED_COLS - 1) / 2;

			if (bits32) {
				if (s->prev &&
				    check_delta(s, col, v, s->prev->n[k], err))
					return -1;
				row->n[k] = (uint32_t)v;
			} else {
				if (s->prev &&
				    check_order(s, col, v, s->prev->cyc[k], err))
					return -1;
				row->cyc[k] = v;
			}
		}
		}
	}
	if (col <= ncols) {
		char pre[160];

		col_prefix(s, col, pre, sizeof(pre));
		epa_errf(err, "%s: missing: the row has %zu columns, the header %zu",
			 pre, col - 1, ncols);
		return -1;
	}
	row->line = s->in.line;
	s->cur = row;
	s->rows++;
	return 1;
}

int epa_milestones_read(FILE *f, const char *path, struct epa_milestones *m,
			char *err)
{
	struct epa_lines l;
	unsigned long seen_line[EPA_MS_COUNT] = { 0 };
	int last = -1, r = -1, i;
	char *line, q[200];
	size_t len;

	memset(m, 0, sizeof(*m));
	if (epa_lines_init(&l, f, path))
		return -2;
	if (check_magic(&l, EPA_MILESTONES_MAGIC, "milestones", err))
		goto out;
	if (header_line(&l, "column header", &line, &len, err))
		goto out;
	if (!field_is(line, len, "milestone,time_us")) {
		epa_quote(q, sizeof(q), line, len);
		epa_errf(err, "%s:2: expected the header \"milestone,time_us\", found \"%s\"",
			 path, q);
		goto out;
	}
	for (;;) {
		const char *p, *end, *name, *val, *extra;
		size_t nn, vn, xn;
		uint64_t us;
		enum epa_num why;
		int k = -1;

		r = epa_lines_next(&l, &line, &len, err);
		if (r <= 0)
			break;
		r = -1;
		if (l.truncated) {
			epa_errf(err, "%s:%lu: truncated last line (no newline at the end of the file)",
				 path, l.line);
			goto out;
		}
		if (!len) {
			epa_errf(err, "%s:%lu: empty line", path, l.line);
			goto out;
		}
		p = line;
		end = line + len;
		next_field(&p, end, &name, &nn);
		if (!next_field(&p, end, &val, &vn)) {
			epa_errf(err, "%s:%lu: column 2 (time_us): missing: the row has 1 column, the header 2",
				 path, l.line);
			goto out;
		}
		if (next_field(&p, end, &extra, &xn)) {
			epa_errf(err, "%s:%lu: column 3: extra column: the header has 2",
				 path, l.line);
			goto out;
		}
		epa_quote(q, sizeof(q), name, nn);
		if (!nn) {
			epa_errf(err, "%s:%lu: column 1 (milestone): empty field",
				 path, l.line);
			goto out;
		}
		/* µs that still fit in ns, the unit the samples use */
		why = epa_parse_u64(val, vn, UINT64_MAX / 1000, &us);
		if (why != EPA_NUM_OK) {
			char vq[200];

			epa_quote(vq, sizeof(vq), val, vn);
			epa_errf(err, "%s:%lu: column 2 (time_us): %s%s%s", path,
				 l.line,
				 why == EPA_NUM_EMPTY ? "empty field" :
				 why == EPA_NUM_RANGE ? "out of range: \"" :
							"not a number: \"",
				 why == EPA_NUM_EMPTY ? "" : vq,
				 why == EPA_NUM_EMPTY ? "" : "\"");
			goto out;
		}
		for (i = 0; i < EPA_MS_COUNT; i++)
			if (field_is(name, nn, epa_ms_names[i]))
				k = i;
		if (k < 0) {
			/* a milestone a newer sampler records: not ours to place */
			if (!m->unknown++)
				epa_quote(m->first_unknown,
					  sizeof(m->first_unknown), name, nn);
			continue;
		}
		if (m->have[k]) {
			epa_errf(err, "%s:%lu: column 1 (milestone): \"%s\" again (first on line %lu)",
				 path, l.line, q, seen_line[k]);
			goto out;
		}
		if (k < last) {
			epa_errf(err, "%s:%lu: column 1 (milestone): \"%s\" after \"%s\": not in boot order",
				 path, l.line, q, epa_ms_names[last]);
			goto out;
		}
		if (last >= 0 && us < m->time_us[last]) {
			epa_errf(err, "%s:%lu: column 2 (time_us): %" PRIu64 " is before %s at %" PRIu64 " (line %lu): milestones must not decrease",
				 path, l.line, us, epa_ms_names[last],
				 m->time_us[last], seen_line[last]);
			goto out;
		}
		m->have[k] = true;
		m->time_us[k] = us;
		seen_line[k] = l.line;
		last = k;
	}
out:
	epa_lines_free(&l);
	return r;
}

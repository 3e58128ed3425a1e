// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Large reads keep the parser fed; the size is fixed, whatever the input. */
#define EPA_LINEBUF	(256 * 1024)

int epa_lines_init(struct epa_lines *l, FILE *f, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->f = f;
	l->path = path;
	l->buf = malloc(EPA_LINEBUF + 1);	/* + the NUL of a last line */
	return l->buf ? 0 : -1;
}

void epa_lines_free(struct epa_lines *l)
{
	free(l->buf);
	l->buf = NULL;
}

int epa_lines_next(struct epa_lines *l, char **line, size_t *len, char *err)
{
	for (;;) {
		char *s = l->buf + l->start;
		size_t have = l->end - l->start, n;
		char *nl = memchr(s, '\n', have);

		if (nl || (l->eof && have)) {
			*len = nl ? (size_t)(nl - s) : have;
			s[*len] = '\0';
			l->start += *len + (nl != NULL);
			l->line++;
			l->truncated = !nl;
			*line = s;
			if (*len > EPA_MAX_LINE)
				goto too_long;
			return 1;
		}
		if (l->eof)
			return 0;
		if (have > EPA_MAX_LINE) {
			l->line++;
			goto too_long;
		}
		memmove(l->buf, s, have);
		l->start = 0;
		l->end = have;
		n = fread(l->buf + l->end, 1, EPA_LINEBUF - l->end, l->f);
		l->end += n;
		if (!n) {
			if (ferror(l->f)) {
				epa_errf(err, "%s:%lu: read error: %s", l->path,
					 l->line + 1, strerror(errno));
				return -1;
			}
			l->eof = true;
		}
	}
too_long:
	epa_errf(err, "%s:%lu: line longer than %d bytes: not a profile line",
		 l->path, l->line, EPA_MAX_LINE);
	return -1;
}

void epa_errf(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, EPA_ERR_LEN, fmt, ap);
	va_end(ap);
}

void epa_quote(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;
	const size_t shown = n > 40 ? 40 : n;

	for (i = 0; i < shown && o + 8 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (shown < n && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

enum epa_num epa_parse_u64(const char *s, size_t n, uint64_t max,
			   uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n)
		return EPA_NUM_EMPTY;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return EPA_NUM_NOT_NUMBER;
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (v > (max - d) / 10)
			return EPA_NUM_RANGE;
		v = v * 10 + d;
	}
	*out = v;
	return EPA_NUM_OK;
}

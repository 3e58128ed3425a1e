/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Line reading and field parsing for the profile CSV files
 * (sampler/FORMAT.md): bounded memory, exact positions for error messages.
 */
#ifndef EXITPROF_ANALYSIS_CSV_H
#define EXITPROF_ANALYSIS_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A row of the widest table (SVM, 171 reasons) is under 8 KiB; anything
 * much longer is not a profile line, and refusing it keeps memory bounded.
 */
#define EPA_MAX_LINE	(64 * 1024)
#define EPA_ERR_LEN	512

struct epa_lines {
	FILE *f;
	const char *path;	/* as given, for messages */
	unsigned long line;	/* number of the line last returned, from 1 */
	bool truncated;		/* the last line returned had no '\n' */
	char *buf;		/* read buffer, EPA_LINEBUF bytes */
	size_t start, end;	/* unconsumed bytes are buf[start, end) */
	bool eof;
};

int epa_lines_init(struct epa_lines *l, FILE *f, const char *path);
void epa_lines_free(struct epa_lines *l);
/*
 * The next line without its '\n', NUL-terminated in place (it may contain
 * other NULs: use *len).  Returns 1 and the line, 0 at the end of the file,
 * -1 with a message in err.  A last line without '\n' is returned with
 * l->truncated set: the caller decides whether that is fatal.
 */
int epa_lines_next(struct epa_lines *l, char **line, size_t *len, char *err);

/* snprintf into an EPA_ERR_LEN buffer. */
void epa_errf(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Field text for a message: at most 40 bytes, non-printable bytes as \xNN,
 * so a message stays one readable line whatever the input holds.
 */
void epa_quote(char *out, size_t outlen, const char *s, size_t n);

enum epa_num { EPA_NUM_OK, EPA_NUM_EMPTY, EPA_NUM_NOT_NUMBER, EPA_NUM_RANGE };
/* Unsigned decimal digits only (no sign, space or 0x), at most max. */
enum epa_num epa_parse_u64(const char *s, size_t n, uint64_t max,
			   uint64_t *out);
#endif

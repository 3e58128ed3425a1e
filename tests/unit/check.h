/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' one tally: CHECK(cond, fmt, ...) counts a pass or prints
 * the failed condition with a message; check_summary() prints the closing
 * "N passed, M failed" line and gives the exit status.
 */
#ifndef EXITPROF_TESTS_CHECK_H
#define EXITPROF_TESTS_CHECK_H

#include <stdio.h>

static unsigned int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static inline int check_summary(void)
{
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif

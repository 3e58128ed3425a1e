/* SPDX-License-Identifier: GPL-2.0-only */
/* exitprof record: one VM's exit_stats debugfs file, sampled on the host. */
#ifndef EXITPROF_RECORD_H
#define EXITPROF_RECORD_H
#include <stdbool.h>

#include "sample.h"

#define EP_RECORD_DEBUGFS	"/sys/kernel/debug/kvm"
#define EP_RECORD_POLL_NS	1000000ULL	/* --next: listing DEBUGFS */
#define EP_RECORD_FILE_POLL_NS	100000ULL	/* --next: exit_stats not there yet */

/* Exit statuses of exitprof record. */
#define EP_RECORD_OK		0	/* VM gone, --duration, or a signal */
#define EP_RECORD_ERROR		1	/* read, write or content error */
#define EP_RECORD_USAGE		2
#define EP_RECORD_NO_VM		3	/* no debugfs, no such VM, not root */

struct ep_record_opts {
	const char *debugfs;		/* the kvm directory in debugfs */
	unsigned long pid;		/* --pid, or 0 */
	const char *vm_dir;		/* --vm-dir, or NULL */
	bool next;			/* --next */
	unsigned int interval_ms;
	unsigned long duration_s;	/* 0: until the VM goes away */
	const char *output;		/* NULL or "-": standard output */
};

/* Uses only env->now and env->sleep_until.  Returns the exit status. */
int ep_record_run(const struct ep_record_opts *o, const struct ep_env *env);
/* The command line (argv[0] is "record"), with a clock the tests can fake. */
int ep_record_main(int argc, char **argv, const struct ep_env *env);
int exitprof_record(int argc, char **argv);
#endif

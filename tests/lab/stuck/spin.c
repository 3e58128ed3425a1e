// SPDX-License-Identifier: GPL-2.0
/*
 * Run in L1 by tests/lab/stuck.sh: make L1 spin without progress.  One
 * SCHED_FIFO busy loop pinned to each online CPU, with RT throttling and
 * (6.12+) the fair deadline server off, starves every other task, l1-init's
 * heartbeat among them, while L0 keeps its host cores busy: the stuck stack
 * that L0's thread states cannot tell from a working one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* 0 if PATH now holds VAL (or, with @optional, does not exist). */
static int put(const char *path, const char *val, int optional)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0 && optional && errno == ENOENT)
		return 0;
	ok = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	if (!ok)
		perror(path);
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int main(void)
{
	struct sched_param sp = { .sched_priority = 99 };
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char path[96];
	cpu_set_t set;
	int cpu;

	if (put("/proc/sys/kernel/sched_rt_runtime_us", "-1", 0))
		return 1;
	for (cpu = 0; cpu < n; cpu++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/sched/fair_server/cpu%d/runtime", cpu);
		if (put(path, "0", 1))
			return 1;
	}
	printf("spin: %ld CPUs\n", n);
	fflush(stdout);
	for (cpu = 1; cpu < n; cpu++)
		if (fork() == 0)
			break;
	if (cpu == n)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("spin: SCHED_FIFO");
		return 1;
	}
	for (;;)
		;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module whose load does WARN_ON(1): tests/lab/warn.sh plants it in the
 * lab's L1 to prove that lab/run fails a run whose L1 console shows a kernel
 * report.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init exitprof_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit exitprof_warn_exit(void)
{
}

module_init(exitprof_warn_init);
module_exit(exitprof_warn_exit);
MODULE_DESCRIPTION("exitprof lab test: WARN_ON(1) at load");
MODULE_LICENSE("GPL");

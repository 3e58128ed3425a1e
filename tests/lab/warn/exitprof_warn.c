// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module whose load makes the kernel report a bug: tests/lab/warn.sh plants
 * it in the lab's L1 to prove that lab/run fails a run whose L1 console shows
 * a kernel report.  mode= picks the report:
 *   warn     WARN_ON(1) (any kernel)
 *   lockdep  two mutexes taken in both orders: lockdep's "possible circular
 *            locking dependency" (PROVE_LOCKING)
 *   sleep    kmalloc(GFP_KERNEL) under a spinlock: its might_sleep() makes
 *            DEBUG_ATOMIC_SLEEP's "BUG: sleeping function called from invalid
 *            context" (msleep() has no might_sleep(): the scheduler's
 *            "scheduling while atomic" came instead)
 *   kasan    a read one byte past a kmalloc()ed object: "BUG: KASAN:"
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *mode = "warn";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "warn, lockdep, sleep or kasan");

static DEFINE_MUTEX(exitprof_warn_a);
static DEFINE_MUTEX(exitprof_warn_b);
static DEFINE_SPINLOCK(exitprof_warn_lock);

static noinline void exitprof_warn_lockdep(void)
{
	/* one thread, no deadlock: lockdep reports the order A->B vs B->A */
	mutex_lock(&exitprof_warn_a);
	mutex_lock(&exitprof_warn_b);
	mutex_unlock(&exitprof_warn_b);
	mutex_unlock(&exitprof_warn_a);
	mutex_lock(&exitprof_warn_b);
	mutex_lock(&exitprof_warn_a);
	mutex_unlock(&exitprof_warn_a);
	mutex_unlock(&exitprof_warn_b);
}

static noinline void exitprof_warn_sleep(void)
{
	char *p;

	spin_lock(&exitprof_warn_lock);
	p = kmalloc(64, GFP_KERNEL);	/* may sleep: GFP_ATOMIC was due */
	spin_unlock(&exitprof_warn_lock);
	kfree(p);
}

static noinline void exitprof_warn_kasan(void)
{
	char *p = kmalloc(8, GFP_KERNEL);

	if (!p)
		return;
	pr_info("exitprof_warn: byte 8 of 8 reads %d\n", READ_ONCE(p[8]));
	kfree(p);
}

static int __init exitprof_warn_init(void)
{
	if (!strcmp(mode, "lockdep"))
		exitprof_warn_lockdep();
	else if (!strcmp(mode, "sleep"))
		exitprof_warn_sleep();
	else if (!strcmp(mode, "kasan"))
		exitprof_warn_kasan();
	else if (!strcmp(mode, "warn"))
		WARN_ON(1);
	else
		return -EINVAL;
	return 0;
}

static void __exit exitprof_warn_exit(void)
{
}

module_init(exitprof_warn_init);
module_exit(exitprof_warn_exit);
MODULE_DESCRIPTION("exitprof lab test: a kernel report at load (mode=)");
MODULE_LICENSE("GPL");

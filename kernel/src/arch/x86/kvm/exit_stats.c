// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU VM-exit statistics (exitprof): the vendor reason tables, the module
 * parameters, summing the per-vCPU counters on read, the CPUID leaves and the
 * per-VM debugfs file "exit_stats".
 *
 * Locking
 * -------
 *
 * The per-vCPU counters (vcpu->exit_stats)
 *   Written only by the vCPU's own task, with neither locks nor atomics,
 *   with WRITE_ONCE().  Read locklessly, with READ_ONCE(), by the sums
 *   below: a sum adds each counter as it was at some moment during the
 *   read, not all of them at one moment.  An exit's count is stored before
 *   its cycles and read after them (see kvm_exit_stats_count()).  They live
 *   as long as the vCPU, i.e. until kvm_destroy_vcpus().
 *
 * exit_stats_vms_lock (spinlock)
 *   Protects: additions to and removals from exit_stats_vms.
 *   Taken by: kvm_exit_stats_init_vm() and kvm_exit_stats_destroy_vm(),
 *   i.e. VM creation and destruction, in process context.  Nothing else is
 *   taken inside it and it is never taken by a vCPU.
 *
 * exit_stats_vms (RCU list of struct exit_stats_vm, one per VM)
 *   Readers: the host-scope sum, under rcu_read_lock() alone.
 *   A VM leaves the list first thing in kvm_arch_destroy_vm() and
 *   kvm_exit_stats_destroy_vm() waits for an RCU grace period before
 *   returning, so no reader can still be looking at the VM's vCPUs when
 *   kvm_destroy_vcpus() frees them, nor at struct kvm.
 *
 * The CPUID leaves (__kvm_exit_stats_cpuid())
 *   Called within kvm->srcu read side, from the vCPU's task, preemptible.
 *   They take no lock: VM scope walks the asking VM's own vCPUs, which
 *   cannot go away while one of them runs; host scope walks exit_stats_vms
 *   under rcu_read_lock().  So they never wait for kvm_lock, slots_lock or
 *   anything that holds them while waiting for kvm->srcu readers (e.g.
 *   set_nx_huge_pages() takes kvm_lock, then slots_lock; a memslot update
 *   holds slots_lock across synchronize_srcu_expedited(&kvm->srcu)).
 *   A leaf reads two counters per vCPU (one slot, or the per-vCPU totals)
 *   and writes nothing shared: in host scope it costs at most a walk over
 *   every vCPU the host runs, a bound the host sets and the guest cannot
 *   raise, however often it asks.
 *
 * The debugfs file
 *   Holds a reference to the VM (kvm_get_kvm_safe() at open) and sums its
 *   vCPUs like VM scope; it takes no lock either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "exit_stats.h"

bool __read_mostly kvm_exit_stats_on = true;
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_exit_stats_on);
module_param_named(exit_stats, kvm_exit_stats_on, bool, 0644);
MODULE_PARM_DESC(exit_stats,
		 "Count VM-exits per reason and answer the exitprof CPUID leaves");

static bool exit_stats_host_scope;

static int exit_stats_scope_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "vm"))
		WRITE_ONCE(exit_stats_host_scope, false);
	else if (sysfs_streq(val, "host"))
		WRITE_ONCE(exit_stats_host_scope, true);
	else
		return -EINVAL;
	return 0;
}

static int exit_stats_scope_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  READ_ONCE(exit_stats_host_scope) ? "host" : "vm");
}

static const struct kernel_param_ops exit_stats_scope_ops = {
	.set = exit_stats_scope_set,
	.get = exit_stats_scope_get,
};

module_param_cb(exit_stats_scope, &exit_stats_scope_ops, NULL, 0644);
MODULE_PARM_DESC(exit_stats_scope,
		 "What the exitprof leaves sum: \"vm\" (the asking VM) or \"host\" (all VMs)");

/* Set once by the vendor module at hardware setup, before any VM exists. */
static const struct kvm_exit_stats_taxonomy *exit_stats_taxonomy;
static bool exit_stats_enabled[KVM_EXIT_STATS_MAX_CODE + 1];

/*
 * "Enabled" means this KVM handles the exit: it has an entry in the vendor's
 * exit-handler table, or is one of the @early reasons handled before it.
 */
void kvm_exit_stats_setup(u32 taxonomy,
			  int (*const *handlers)(struct kvm_vcpu *vcpu),
			  u32 nr_handlers, const u32 *early, u32 nr_early)
{
	const struct kvm_exit_stats_taxonomy *t;
	u32 code, i;

	t = kvm_exit_stats_taxonomy(taxonomy);
	if (WARN_ON_ONCE(!t))
		return;

	for (code = 0; code <= t->max_code; code++)
		exit_stats_enabled[code] = kvm_exit_stats_defined(t, code) &&
					   code < nr_handlers && handlers[code];
	for (i = 0; i < nr_early; i++)
		if (kvm_exit_stats_defined(t, early[i]))
			exit_stats_enabled[early[i]] = true;
	exit_stats_taxonomy = t;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_exit_stats_setup);

/* One per VM, on exit_stats_vms while the VM exists; see "Locking" above. */
struct exit_stats_vm {
	struct list_head node;
	struct kvm *kvm;
};

static LIST_HEAD(exit_stats_vms);
static DEFINE_SPINLOCK(exit_stats_vms_lock);

/*
 * Called by kvm_arch_init_vm(): puts the VM on the host-wide list.  Its vCPUs
 * are added to it as KVM onlines them (kvm->online_vcpus).
 */
int kvm_exit_stats_init_vm(struct kvm *kvm)
{
	struct exit_stats_vm *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	v->kvm = kvm;
	spin_lock(&exit_stats_vms_lock);
	list_add_tail_rcu(&v->node, &exit_stats_vms);
	spin_unlock(&exit_stats_vms_lock);
	return 0;
}

/*
 * Called first thing in kvm_arch_destroy_vm() (and where kvm_arch_init_vm()
 * fails after kvm_exit_stats_init_vm()), before the vCPUs are freed: takes
 * the VM off the list and waits until no host-scope sum can see it.  Sleeps.
 */
void kvm_exit_stats_destroy_vm(struct kvm *kvm)
{
	struct exit_stats_vm *v, *found = NULL;

	spin_lock(&exit_stats_vms_lock);
	list_for_each_entry(v, &exit_stats_vms, node) {
		if (v->kvm == kvm) {
			list_del_rcu(&v->node);
			found = v;
			break;
		}
	}
	spin_unlock(&exit_stats_vms_lock);
	if (!found)
		return;
	synchronize_rcu();
	kfree(found);
}

/*
 * Adds the counters of all vCPUs of the VM @ctx for @slot (bounded and
 * clamped by the caller), or their totals for KVM_EXIT_STATS_ALL.
 * Called within kvm->srcu read side of a vCPU of @ctx, or with a reference
 * to @ctx, or under rcu_read_lock() while @ctx is on exit_stats_vms.
 */
static void exit_stats_sum_vm(void *ctx, u32 slot, u64 *count, u64 *cycles)
{
	struct kvm *kvm = ctx;
	struct kvm_exit_stat *st;
	struct kvm_vcpu *vcpu;
	unsigned long i;

	kvm_for_each_vcpu(i, vcpu, kvm) {
		if (slot == KVM_EXIT_STATS_ALL)
			st = &vcpu->exit_stats.total;
		else
			st = &vcpu->exit_stats.slot[slot];
		*cycles += READ_ONCE(st->cycles);
		/* cycles before count: pairs with kvm_exit_stats_done() */
		smp_rmb();
		*count += READ_ONCE(st->count);
	}
}

/* Host scope: every VM on the host.  Takes no lock, see "Locking" above. */
static void exit_stats_sum_host(void *ctx, u32 slot, u64 *count, u64 *cycles)
{
	struct exit_stats_vm *v;

	rcu_read_lock();
	list_for_each_entry_rcu(v, &exit_stats_vms, node)
		exit_stats_sum_vm(v->kvm, slot, count, cycles);
	rcu_read_unlock();
}

/* Returns true if the leaf was an exitprof leaf and the registers are set. */
bool __kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			    u32 *ecx, u32 *edx)
{
	const struct kvm_exit_stats_taxonomy *t = exit_stats_taxonomy;
	bool host = READ_ONCE(exit_stats_host_scope);
	u32 regs[4];

	if (!READ_ONCE(kvm_exit_stats_on) || !t)
		return false;
	if (!kvm_exit_stats_leaf(t, exit_stats_enabled,
				 host ? KVM_EXIT_STATS_FLAG_HOST : 0, *eax,
				 *ecx, regs, host ? exit_stats_sum_host :
				 exit_stats_sum_vm, vcpu->kvm))
		return false;
	*eax = regs[KVM_EXIT_STATS_EAX];
	*ebx = regs[KVM_EXIT_STATS_EBX];
	*ecx = regs[KVM_EXIT_STATS_ECX];
	*edx = regs[KVM_EXIT_STATS_EDX];
	return true;
}

static int exit_stats_show(struct seq_file *m, void *v)
{
	const struct kvm_exit_stats_taxonomy *t = exit_stats_taxonomy;
	struct kvm *kvm = m->private;
	u64 count, cycles;
	u32 code, slot;

	if (!t)
		return 0;
	seq_puts(m, "# reason name count cycles enabled\n");
	for (code = 0; code <= t->max_code; code++) {
		if (!kvm_exit_stats_defined(t, code))
			continue;
		count = 0;
		cycles = 0;
		slot = t->slot(code);
		if (slot < KVM_EXIT_STATS_NR_SLOTS)
			exit_stats_sum_vm(kvm, slot, &count, &cycles);
		seq_printf(m, "%u %s %llu %llu %s\n", code, t->names[code],
			   count, cycles,
			   exit_stats_enabled[code] ? "enabled" : "disabled");
	}
	count = 0;
	cycles = 0;
	exit_stats_sum_vm(kvm, KVM_EXIT_STATS_ALL, &count, &cycles);
	seq_printf(m, "total - %llu %llu -\n", count, cycles);
	return 0;
}

static int exit_stats_open(struct inode *inode, struct file *file)
{
	struct kvm *kvm = inode->i_private;
	int r;

	if (!kvm_get_kvm_safe(kvm))
		return -ENOENT;

	r = single_open(file, exit_stats_show, kvm);
	if (r < 0)
		kvm_put_kvm(kvm);
	return r;
}

static int exit_stats_release(struct inode *inode, struct file *file)
{
	struct kvm *kvm = inode->i_private;

	kvm_put_kvm(kvm);
	return single_release(inode, file);
}

static const struct file_operations exit_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= exit_stats_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= exit_stats_release,
};

void kvm_exit_stats_create_debugfs(struct kvm *kvm)
{
	debugfs_create_file("exit_stats", 0444, kvm->debugfs_dentry, kvm,
			    &exit_stats_fops);
}

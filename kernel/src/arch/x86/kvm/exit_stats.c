// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU VM-exit statistics (exitprof): the vendor reason tables, the module
 * parameters, summing the per-vCPU counters on read, the CPUID leaves and the
 * per-VM debugfs file "exit_stats".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include "exit_stats.h"

bool __read_mostly kvm_exit_stats_on = true;
EXPORT_SYMBOL_GPL(kvm_exit_stats_on);
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
EXPORT_SYMBOL_GPL(kvm_exit_stats_setup);

/* Adds the counters of all vCPUs of the VM @ctx for @slot, or for all slots. */
static void exit_stats_sum_vm(void *ctx, u32 slot, u64 *count, u64 *cycles)
{
	struct kvm *kvm = ctx;
	struct kvm_exit_stat *st;
	struct kvm_vcpu *vcpu;
	unsigned long i;
	u32 s;

	kvm_for_each_vcpu(i, vcpu, kvm) {
		st = vcpu->exit_stats.slot;
		if (slot != KVM_EXIT_STATS_ALL) {
			*count += READ_ONCE(st[slot].count);
			*cycles += READ_ONCE(st[slot].cycles);
			continue;
		}
		for (s = 0; s < KVM_EXIT_STATS_NR_SLOTS; s++) {
			*count += READ_ONCE(st[s].count);
			*cycles += READ_ONCE(st[s].cycles);
		}
	}
}

static void exit_stats_sum_host(void *ctx, u32 slot, u64 *count, u64 *cycles)
{
	struct kvm *kvm;

	mutex_lock(&kvm_lock);
	list_for_each_entry(kvm, &vm_list, vm_list)
		exit_stats_sum_vm(kvm, slot, count, cycles);
	mutex_unlock(&kvm_lock);
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
	u32 code;

	if (!t)
		return 0;
	seq_puts(m, "# reason name count cycles enabled\n");
	for (code = 0; code <= t->max_code; code++) {
		if (!kvm_exit_stats_defined(t, code))
			continue;
		count = 0;
		cycles = 0;
		exit_stats_sum_vm(kvm, t->slot(code), &count, &cycles);
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

/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's U32_MAX on top of <linux/limits.h>, for user space. */
#ifndef EXITPROF_SHIM_LINUX_LIMITS_H
#define EXITPROF_SHIM_LINUX_LIMITS_H
#include_next <linux/limits.h>
#include <stdint.h>
#define U32_MAX UINT32_MAX
#endif

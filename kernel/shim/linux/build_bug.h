/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef EXITPROF_SHIM_LINUX_BUILD_BUG_H
#define EXITPROF_SHIM_LINUX_BUILD_BUG_H
/* the kernel's static_assert(expr) with an optional message */
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#endif

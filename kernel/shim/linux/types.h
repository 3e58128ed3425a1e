/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's short type names on top of <linux/types.h>, for user space. */
#ifndef EXITPROF_SHIM_LINUX_TYPES_H
#define EXITPROF_SHIM_LINUX_TYPES_H
#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

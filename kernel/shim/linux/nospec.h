/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's generic array_index_nospec(): a branch-free clamp to 0 for an
 * out-of-range index, so the user-space tests run the same arithmetic.
 */
#ifndef EXITPROF_SHIM_LINUX_NOSPEC_H
#define EXITPROF_SHIM_LINUX_NOSPEC_H
static inline unsigned long array_index_mask_nospec(unsigned long index,
						    unsigned long size)
{
	/* all ones when index < size, else 0 (arithmetic shift of the sign) */
	return (unsigned long)(~(long)(index | (size - 1UL - index)) >>
			       (sizeof(long) * 8 - 1));
}
#define array_index_nospec(index, size) \
	((index) & array_index_mask_nospec((index), (size)))
#endif

/* initrd.h - where an initrd goes in guest RAM, whatever the kernel's entry (bzImage, PVH). */
#ifndef BERTH_VMM_BOOT_INITRD_H
#define BERTH_VMM_BOOT_INITRD_H

#include <stdint.h>

#include "common/error.h"

/* Place len bytes page-aligned as high as they fit below top (the end of low RAM, or a lower
 * limit the kernel sets) and at or above kernel_end (rounded up to a page): *addr, or -1 with
 * err saying how much RAM there was. */
int initrd_place(uint64_t kernel_end, uint64_t top, uint64_t len, uint64_t *addr,
		 struct berth_error *err);

#endif

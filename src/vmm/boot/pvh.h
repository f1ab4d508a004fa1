/* pvh.h - loading a vmlinux checked by common/pvh_elf.h into guest RAM, and placing its initrd. */
#ifndef BERTH_VMM_BOOT_PVH_H
#define BERTH_VMM_BOOT_PVH_H

#include <stdint.h>

#include "common/error.h"
#include "common/pvh_elf.h"
#include "vmm/boot/boot_file.h"
#include "vmm/memory.h"

/* Read the segments from the kernel file f into guest RAM and zero their tails; fails if low
 * RAM cannot hold them. */
int pvh_elf_load(const struct pvh_elf *pe, const struct boot_file *f, const struct guest_mem *gm,
		 struct berth_error *err);

/* Choose where an initrd of len bytes goes: page-aligned at the top of low RAM, above the
 * kernel. */
int pvh_elf_place_initrd(const struct pvh_elf *pe, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err);

#endif

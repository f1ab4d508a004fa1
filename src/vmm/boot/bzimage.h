/* bzimage.h - the Linux x86 boot protocol: where a checked bzImage goes in guest RAM, and
 * loading it. The header itself is checked by common/bzimage_header.h, which berthd shares;
 * bzimage_parse() only reads the buffer it is given, and a fuzzer drives it directly. */
#ifndef BERTH_VMM_BOOT_BZIMAGE_H
#define BERTH_VMM_BOOT_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/bzimage_header.h"
#include "common/error.h"
#include "vmm/boot/boot_file.h"
#include "vmm/memory.h"

struct bzimage {
	struct bzimage_header head; /* the checked header */
	size_t kernel_len;	    /* protected-mode part: the file past head.setup_len */
	uint64_t load_addr;	    /* where the protected-mode part is copied */
	uint64_t kernel_end; /* end of the kernel's run-time footprint (decompression included) */
};

/* Check a kernel file of file_len bytes, whose first head_len bytes are in head (at least
 * BZ_HEAD_MAX of them, or the whole file), as a 64-bit-capable bzImage; describe it in bz. */
int bzimage_parse(const uint8_t *head, size_t head_len, uint64_t file_len, struct bzimage *bz,
		  struct berth_error *err);

/* Read the kernel's protected-mode part from its file f into guest RAM; fails if RAM cannot
 * hold its run-time footprint. */
int bzimage_load(const struct bzimage *bz, const struct boot_file *f, const struct guest_mem *gm,
		 struct berth_error *err);

/* Guest address of the 64-bit entry point. */
uint64_t bzimage_entry64(const struct bzimage *bz);

/* Choose where an initrd of len bytes goes: as high in low RAM as the kernel allows, above the
 * kernel. */
int bzimage_place_initrd(const struct bzimage *bz, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err);

#endif

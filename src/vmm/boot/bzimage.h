/* bzimage.h - the Linux x86 boot protocol: where a checked bzImage goes in guest RAM, and
 * loading it. The header itself is checked by common/bzimage_header.h, which berthd shares;
 * bzimage_parse() only reads the buffer it is given, and a fuzzer drives it directly. */
#ifndef BERTH_VMM_BOOT_BZIMAGE_H
#define BERTH_VMM_BOOT_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/bzimage_header.h"
#include "common/error.h"
#include "vmm/memory.h"

struct bzimage {
	struct bzimage_header head; /* the checked header */
	const uint8_t *kernel;	    /* protected-mode part, inside the caller's buffer */
	size_t kernel_len;
	uint64_t load_addr;  /* where the protected-mode part is copied */
	uint64_t kernel_end; /* end of the kernel's run-time footprint (decompression included) */
};

/* Check buf as a 64-bit-capable bzImage and describe it in bz. */
int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage *bz, struct berth_error *err);

/* Copy the kernel into guest RAM; fails if RAM cannot hold its run-time footprint. */
int bzimage_load(const struct bzimage *bz, const struct guest_mem *gm, struct berth_error *err);

/* Guest address of the 64-bit entry point. */
uint64_t bzimage_entry64(const struct bzimage *bz);

/* Choose where an initrd of len bytes goes: as high in low RAM as the kernel allows, above the
 * kernel. */
int bzimage_place_initrd(const struct bzimage *bz, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err);

#endif

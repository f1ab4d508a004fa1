/* bzimage.c - place and load a Linux bzImage whose header common/bzimage_header.c checked
 * (Documentation/arch/x86/boot.rst). */
#include "bzimage.h"

#include <string.h>

#include "vmm/boot/initrd.h"
#include "vmm/x86/layout.h"

int bzimage_parse(const uint8_t *head, size_t head_len, uint64_t file_len, struct bzimage *bz,
		  struct berth_error *err)
{
	const struct setup_header *h = &bz->head.hdr;
	uint64_t footprint_base;

	memset(bz, 0, sizeof(*bz));
	if (bzimage_header_parse(head, head_len, file_len, &bz->head, err))
		return -1;
	bz->kernel_len = (size_t)(file_len - bz->head.setup_len);
	bz->load_addr = LAYOUT_KERNEL;
	/* A relocatable kernel runs at its preferred address when loaded below it. */
	footprint_base = bz->load_addr;
	if (h->relocatable_kernel && h->pref_address > footprint_base &&
	    h->pref_address < GM_HOLE_START)
		footprint_base = h->pref_address;
	bz->kernel_end = footprint_base + h->init_size;
	if (bz->kernel_end < bz->load_addr + bz->kernel_len)
		bz->kernel_end = bz->load_addr + bz->kernel_len;
	return 0;
}

int bzimage_load(const struct bzimage *bz, const struct boot_file *f, const struct guest_mem *gm,
		 struct berth_error *err)
{
	void *dst;

	if (bz->kernel_end > gm_low_size(gm))
		return berr(err, 0,
			    "the kernel needs %llu MiB of guest RAM to start; give --mem more",
			    (unsigned long long)((bz->kernel_end + (1 << 20) - 1) >> 20));
	dst = gm_ptr(gm, bz->load_addr, bz->kernel_len);
	if (!dst)
		return berr(err, 0, "kernel does not fit in guest RAM");
	return boot_file_read(f, bz->head.setup_len, dst, bz->kernel_len, err);
}

uint64_t bzimage_entry64(const struct bzimage *bz)
{
	return bz->load_addr + 0x200;
}

int bzimage_place_initrd(const struct bzimage *bz, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err)
{
	uint64_t top = gm_low_size(gm);

	/* initrd_addr_max is the highest address the initrd may occupy (inclusive). */
	if (bz->head.hdr.initrd_addr_max && (uint64_t)bz->head.hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)bz->head.hdr.initrd_addr_max + 1;
	return initrd_place(bz->kernel_end, top, len, addr, err);
}

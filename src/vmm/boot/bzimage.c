/* bzimage.c - parse and load a Linux bzImage (Documentation/arch/x86/boot.rst). */
#include "bzimage.h"

#include <errno.h>
#include <string.h>

#include "vmm/x86/layout.h"

#define BZ_HDR_OFFSET 0x1F1
#define BZ_MAGIC      0x53726448 /* "HdrS" */
#define PAGE_SIZE     4096ULL

int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage *bz, struct berth_error *err)
{
	struct setup_header *h = &bz->hdr;
	uint64_t setup_len, footprint_base;

	memset(bz, 0, sizeof(*bz));
	if (len < BZ_HDR_OFFSET + sizeof(*h))
		return berr(err, 0, "not a Linux bzImage: the file is only %zu bytes", len);
	memcpy(h, buf + BZ_HDR_OFFSET, sizeof(*h));
	if (h->boot_flag != 0xAA55 || h->header != BZ_MAGIC)
		return berr(err, 0, "not a Linux bzImage: no x86 boot header ('HdrS' signature) at offset 0x202");
	if (h->version < BZ_MIN_VERSION)
		return berr(err, 0, "kernel uses boot protocol %u.%02u; berth-vmm needs %u.%02u or later (a 64-bit entry point)",
			    h->version >> 8, h->version & 0xff, BZ_MIN_VERSION >> 8, BZ_MIN_VERSION & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return berr(err, 0, "not a bzImage: this zImage loads below 1 MiB, which berth-vmm does not support");
	if (!(h->xloadflags & XLF_KERNEL_64))
		return berr(err, 0, "kernel has no 64-bit entry point (it is not an x86-64 kernel)");
	setup_len = ((uint64_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	if (setup_len >= len)
		return berr(err, 0, "truncated bzImage: its setup code (%llu bytes) reaches past the end of the file (%zu bytes)",
			    (unsigned long long)setup_len, len);
	if ((uint64_t)h->syssize * 16 > len - setup_len)
		return berr(err, 0, "truncated bzImage: the header promises %llu bytes of kernel but the file holds %llu",
			    (unsigned long long)h->syssize * 16, (unsigned long long)(len - setup_len));
	if (h->init_size == 0)
		return berr(err, 0, "bzImage header gives no init_size");
	bz->kernel = buf + setup_len;
	bz->kernel_len = len - setup_len;
	bz->load_addr = LAYOUT_KERNEL;
	/* A relocatable kernel runs at its preferred address when loaded below it. */
	footprint_base = bz->load_addr;
	if ((h->loadflags & LOADED_HIGH) && h->relocatable_kernel && h->pref_address > footprint_base &&
	    h->pref_address < GM_HOLE_START)
		footprint_base = h->pref_address;
	bz->kernel_end = footprint_base + h->init_size;
	if (bz->kernel_end < bz->load_addr + bz->kernel_len)
		bz->kernel_end = bz->load_addr + bz->kernel_len;
	return 0;
}

int bzimage_load(const struct bzimage *bz, const struct guest_mem *gm, struct berth_error *err)
{
	if (bz->kernel_end > gm_low_size(gm))
		return berr(err, ENOMEM, "the kernel needs %llu MiB of guest RAM to start; give --mem more",
			    (unsigned long long)((bz->kernel_end + (1 << 20) - 1) >> 20));
	if (gm_write(gm, bz->load_addr, bz->kernel, bz->kernel_len))
		return berr(err, ENOMEM, "kernel does not fit in guest RAM");
	return 0;
}

uint64_t bzimage_entry64(const struct bzimage *bz)
{
	return bz->load_addr + 0x200;
}

int bzimage_place_initrd(const struct bzimage *bz, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err)
{
	uint64_t top = gm_low_size(gm), lowest;

	/* initrd_addr_max is the highest address the initrd may occupy (inclusive). */
	if (bz->hdr.initrd_addr_max && (uint64_t)bz->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)bz->hdr.initrd_addr_max + 1;
	lowest = (bz->kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (len > top || ((top - len) & ~(PAGE_SIZE - 1)) < lowest)
		return berr(err, ENOSPC,
			    "the initrd (%llu MiB) does not fit in guest RAM between the kernel (ends at %llu MiB) and %llu MiB; give --mem more",
			    (unsigned long long)((len + (1 << 20) - 1) >> 20),
			    (unsigned long long)(lowest >> 20), (unsigned long long)(top >> 20));
	*addr = (top - len) & ~(PAGE_SIZE - 1);
	return 0;
}

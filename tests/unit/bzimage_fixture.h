/* bzimage_fixture.h - synthetic bzImages for the boot unit tests. */
#ifndef BERTH_TESTS_BZIMAGE_FIXTURE_H
#define BERTH_TESTS_BZIMAGE_FIXTURE_H

#include <stdint.h>
#include <string.h>
#include <asm/bootparam.h>

#define FIX_SETUP_SECTS 1
#define FIX_KERNEL_LEN	4096
#define FIX_LEN		((FIX_SETUP_SECTS + 1) * 512 + FIX_KERNEL_LEN)

/* Write a valid 64-bit, relocatable bzImage header into buf (FIX_LEN bytes). */
static inline struct setup_header *fixture_bzimage(uint8_t *buf)
{
	struct setup_header *h = (struct setup_header *)(buf + 0x1f1);

	memset(buf, 0, FIX_LEN);
	h->setup_sects = FIX_SETUP_SECTS;
	h->syssize = FIX_KERNEL_LEN / 16;
	h->boot_flag = 0xAA55;
	h->header = 0x53726448;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->xloadflags = XLF_KERNEL_64;
	h->relocatable_kernel = 1;
	h->kernel_alignment = 0x200000;
	h->initrd_addr_max = 0x7fffffff;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 0x800000;
	memset(buf + (FIX_SETUP_SECTS + 1) * 512, 0x90, FIX_KERNEL_LEN);
	return h;
}

#endif

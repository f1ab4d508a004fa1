/* bootparams.h - the zero page (struct boot_params) handed to a 64-bit Linux entry. */
#ifndef BERTH_VMM_X86_BOOTPARAMS_H
#define BERTH_VMM_X86_BOOTPARAMS_H

#include <stdint.h>
#include <asm/bootparam.h>

#include "vmm/boot/bzimage.h"
#include "vmm/memory.h"

/* A linear framebuffer already set up for the kernel: 32-bit XRGB pixels. */
struct boot_screen {
	uint32_t base; /* guest-physical */
	uint16_t width, height;
	uint32_t stride; /* bytes per row */
};

struct boot_args {
	uint64_t cmdline_addr;
	uint64_t initrd_addr, initrd_len; /* initrd_len 0: no initrd */
	uint64_t rsdp_addr;		  /* 0: no ACPI */
	const struct boot_screen *screen; /* NULL: none */
};

/* Write the e820 memory map of gm into t (at most max entries); returns how many. The
 * bzImage's zero page and PVH's hvm_start_info carry the same map. */
unsigned e820_build(struct boot_e820_entry *t, unsigned max, const struct guest_mem *gm);

/* Fill bp for booting bz: header copy, loader fields, command line, initrd, ACPI and the e820 map
 * of gm. */
void bootparams_build(struct boot_params *bp, const struct bzimage *bz, const struct guest_mem *gm,
		      const struct boot_args *args);

#endif

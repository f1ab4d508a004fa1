/* linux.h - everything needed to boot Linux: kernel and initrd files, command line,
 * boot parameters, ACPI tables and boot page tables, written into guest RAM. */
#ifndef BERTH_VMM_BOOT_LINUX_H
#define BERTH_VMM_BOOT_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/boot/bzimage.h"
#include "vmm/memory.h"
#include "vmm/x86/bootparams.h"

struct linux_boot {
	uint8_t *kernel; /* read-only mapping of the kernel file */
	size_t kernel_len;
	uint8_t *initrd; /* NULL without an initrd */
	size_t initrd_len;
	const char *cmdline;
	struct bzimage bz;
};

/* Map and check the kernel (and initrd) files and the command line. */
int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, struct berth_error *err);

/* Write the whole boot state for ncpus CPUs into gm (with screen, a framebuffer the kernel
 * is told of and a PS/2 keyboard; NULL: neither); *entry gets the 64-bit entry point. */
int linux_boot_load(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    const struct boot_screen *screen, uint64_t *entry, struct berth_error *err);

/* Unmap the files. */
void linux_boot_close(struct linux_boot *lb);

#endif

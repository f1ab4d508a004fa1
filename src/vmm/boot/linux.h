/* linux.h - everything needed to boot Linux: kernel and initrd files, command line,
 * boot parameters, ACPI tables and boot page tables, written into guest RAM. */
#ifndef BERTH_VMM_BOOT_LINUX_H
#define BERTH_VMM_BOOT_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/boot/boot_file.h"
#include "vmm/boot/bzimage.h"
#include "vmm/memory.h"

struct linux_boot {
	struct boot_file kernel;
	struct boot_file initrd; /* path NULL without an initrd */
	const char *cmdline;
	struct bzimage bz;
};

/* Open and check the kernel (and initrd) files and the command line. */
int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, struct berth_error *err);

/* Write the whole boot state for ncpus CPUs into gm; *entry gets the 64-bit entry point. */
int linux_boot_load(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    uint64_t *entry, struct berth_error *err);

/* Close the files (again is harmless). */
void linux_boot_close(struct linux_boot *lb);

#endif

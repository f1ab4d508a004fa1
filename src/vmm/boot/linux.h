/* linux.h - everything needed to boot Linux: kernel and initrd files, command line,
 * boot parameters, ACPI tables and boot page tables, written into guest RAM. */
#ifndef BERTH_VMM_BOOT_LINUX_H
#define BERTH_VMM_BOOT_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/boot/boot_file.h"
#include "vmm/boot/bzimage.h"
#include "vmm/boot/pvh.h"
#include "vmm/memory.h"
#include "vmm/x86/bootparams.h"

struct linux_boot {
	struct boot_file kernel;
	struct boot_file initrd; /* path NULL without an initrd */
	const char *cmdline;
	bool pvh;	    /* the kernel is an ELF vmlinux entered through PVH, not a bzImage */
	struct bzimage bz;  /* !pvh */
	struct pvh_elf elf; /* pvh */
};

/* Open and check the kernel (a bzImage, or an ELF vmlinux with a PVH note: told apart by
 * their magic), the initrd file and the command line. */
int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, struct berth_error *err);

/* Write the whole boot state for ncpus CPUs into gm (with screen, a PS/2 keyboard and, for a
 * bzImage, a framebuffer the kernel is told of; NULL: neither); *entry gets the entry point
 * (64-bit for a bzImage, 32-bit for PVH). */
int linux_boot_load(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    const struct boot_screen *screen, uint64_t *entry, struct berth_error *err);

/* Set the boot vCPU's registers to start at entry, as the kernel's boot protocol says. */
int linux_boot_regs(const struct linux_boot *lb, int vcpu_fd, uint64_t entry,
		    struct berth_error *err);

/* The Linux release the kernel names (its bzImage header or its vmlinux's build-salt note);
 * "" for a kernel that names none (not Linux: memtest86+, the tiny test guests). */
const char *linux_boot_version(const struct linux_boot *lb);

/* Close the files (again is harmless). */
void linux_boot_close(struct linux_boot *lb);

#endif

/* linux.c - open the boot files and lay out a Linux guest's memory before its first
 * instruction; the files are read straight into guest RAM at each boot (boot_file.h). */
#include "linux.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/bootparams.h"
#include "vmm/x86/cpu.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/start_info.h"

static int read_kernel(void *ctx, uint64_t off, void *dst, size_t len, struct berth_error *err)
{
	return boot_file_read(ctx, off, dst, len, err);
}

/* Read the kernel's head (all a header may ask for) and check the kernel with it. */
static int parse_kernel(struct linux_boot *lb, struct berth_error *err)
{
	_Static_assert(BZ_HEAD_MAX >= PVH_HEAD_MAX, "one head serves both kinds of kernel");
	size_t len = lb->kernel.size < BZ_HEAD_MAX ? (size_t)lb->kernel.size : BZ_HEAD_MAX;
	uint8_t *head = malloc(len);
	int rc;

	if (!head)
		return berr(err, ENOMEM, "kernel '%s'", lb->kernel.path);
	rc = boot_file_read(&lb->kernel, 0, head, len, err);
	lb->pvh = rc == 0 && pvh_elf_is_elf(head, len);
	if (rc == 0 && lb->pvh)
		rc = pvh_elf_parse(head, len < PVH_HEAD_MAX ? len : PVH_HEAD_MAX, lb->kernel.size,
				   read_kernel, &lb->kernel, &lb->elf, err);
	else if (rc == 0)
		rc = bzimage_parse(head, len, lb->kernel.size, &lb->bz, err);
	free(head);
	if (rc)
		berr_wrap(err, "kernel '%s'", lb->kernel.path);
	return rc;
}

int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, struct berth_error *err)
{
	size_t max;

	memset(lb, 0, sizeof(*lb));
	lb->cmdline = cmdline;
	if (boot_file_open(&lb->kernel, kernel, "kernel", err) || parse_kernel(lb, err))
		goto fail;
	max = !lb->pvh && lb->bz.head.hdr.cmdline_size < LAYOUT_CMDLINE_MAX
		  ? lb->bz.head.hdr.cmdline_size
		  : LAYOUT_CMDLINE_MAX - 1;
	if (strlen(cmdline) > max) {
		berr(err, 0,
		     "the kernel command line is %zu bytes; this kernel accepts at most %zu",
		     strlen(cmdline), max);
		goto fail;
	}
	if (initrd && boot_file_open(&lb->initrd, initrd, "initrd", err))
		goto fail;
	return 0;
fail:
	linux_boot_close(lb);
	return -1;
}

/* Read the initrd to where place chose; *addr 0 without one. */
static int load_initrd(const struct linux_boot *lb, const struct guest_mem *gm, uint64_t *addr,
		       struct berth_error *err)
{
	void *dst;
	int rc;

	*addr = 0;
	if (!lb->initrd.path)
		return 0;
	rc = lb->pvh ? pvh_elf_place_initrd(&lb->elf, gm, lb->initrd.size, addr, err)
		     : bzimage_place_initrd(&lb->bz, gm, lb->initrd.size, addr, err);
	if (rc)
		return -1;
	dst = gm_ptr(gm, *addr, lb->initrd.size);
	if (!dst)
		return berr(err, 0, "initrd does not fit in guest RAM");
	return boot_file_read(&lb->initrd, 0, dst, (size_t)lb->initrd.size, err);
}

/* What both entries need: the command line, the ACPI tables (*rsdp: where) and the boot page
 * tables (used by a bzImage's 64-bit entry; PVH enters with paging off). */
static int load_tables(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		       const struct boot_screen *screen, uint64_t *rsdp, struct berth_error *err)
{
	if (gm_write(gm, LAYOUT_CMDLINE, lb->cmdline, strlen(lb->cmdline) + 1))
		return berr(err, 0, "guest RAM too small for the command line");
	if (acpi_build(gm, ncpus, screen ? ACPI_I8042 : 0, rsdp, err) ||
	    cpu_write_boot_tables(gm, err))
		return -1;
	return 0;
}

/* PVH: the segments, hvm_start_info and the ACPI tables; no page tables (paging is off).
 * hvm_start_info cannot describe a framebuffer: with a screen the kernel gets the keyboard
 * alone (and finds bochs-display on PCI itself, if it drives it). */
static int load_pvh(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    const struct boot_screen *screen, uint64_t *entry, struct berth_error *err)
{
	struct start_info_args args = { .cmdline_addr = LAYOUT_CMDLINE };

	if (pvh_elf_load(&lb->elf, &lb->kernel, gm, err) ||
	    load_initrd(lb, gm, &args.initrd_addr, err))
		return -1;
	args.initrd_len = lb->initrd.path ? lb->initrd.size : 0;
	if (load_tables(lb, gm, ncpus, screen, &args.rsdp_addr, err) ||
	    start_info_write(gm, &args, err))
		return -1;
	*entry = lb->elf.entry;
	return 0;
}

int linux_boot_load(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    const struct boot_screen *screen, uint64_t *entry, struct berth_error *err)
{
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE, .screen = screen };
	struct boot_params bp;

	if (lb->pvh)
		return load_pvh(lb, gm, ncpus, screen, entry, err);
	if (bzimage_load(&lb->bz, &lb->kernel, gm, err) ||
	    load_initrd(lb, gm, &args.initrd_addr, err))
		return -1;
	args.initrd_len = lb->initrd.path ? lb->initrd.size : 0;
	if (load_tables(lb, gm, ncpus, screen, &args.rsdp_addr, err))
		return -1;
	bootparams_build(&bp, &lb->bz, gm, &args);
	if (gm_write(gm, LAYOUT_ZERO_PAGE, &bp, sizeof(bp)))
		return berr(err, 0, "guest RAM too small for boot parameters");
	*entry = bzimage_entry64(&lb->bz);
	return 0;
}

int linux_boot_regs(const struct linux_boot *lb, int vcpu_fd, uint64_t entry,
		    struct berth_error *err)
{
	if (lb->pvh)
		return cpu_init_pvh_regs(vcpu_fd, (uint32_t)entry, LAYOUT_PVH_INFO, err);
	return cpu_init_boot_regs(vcpu_fd, entry, LAYOUT_ZERO_PAGE, err);
}

const char *linux_boot_version(const struct linux_boot *lb)
{
	return lb->pvh ? lb->elf.version : lb->bz.head.version;
}

void linux_boot_close(struct linux_boot *lb)
{
	boot_file_close(&lb->kernel);
	boot_file_close(&lb->initrd);
}

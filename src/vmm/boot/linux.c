/* linux.c - map the boot files and lay out a Linux guest's memory before its first instruction. */
#include "linux.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/bootparams.h"
#include "vmm/x86/cpu.h"
#include "vmm/x86/layout.h"

static int map_file(const char *path, const char *what, uint8_t **map, size_t *len,
		    struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *p;

	if (fd < 0)
		return berr(err, errno, "cannot open %s '%s'", what, path);
	if (fstat(fd, &st) < 0)
		return berr(err, errno, "cannot stat %s '%s'", what, path);
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "%s '%s' is not a regular file", what, path);
	if (st.st_size == 0)
		return berr(err, 0, "%s '%s' is empty", what, path);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return berr(err, errno, "cannot read %s '%s'", what, path);
	*map = p;
	*len = (size_t)st.st_size;
	return 0;
}

int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
		    const char *cmdline, struct berth_error *err)
{
	size_t max;

	memset(lb, 0, sizeof(*lb));
	lb->cmdline = cmdline;
	if (map_file(kernel, "kernel", &lb->kernel, &lb->kernel_len, err))
		return -1;
	if (bzimage_parse(lb->kernel, lb->kernel_len, &lb->bz, err)) {
		berr_wrap(err, "kernel '%s'", kernel);
		goto fail;
	}
	max = lb->bz.head.hdr.cmdline_size < LAYOUT_CMDLINE_MAX ? lb->bz.head.hdr.cmdline_size
								: LAYOUT_CMDLINE_MAX - 1;
	if (strlen(cmdline) > max) {
		berr(err, 0,
		     "the kernel command line is %zu bytes; this kernel accepts at most %zu",
		     strlen(cmdline), max);
		goto fail;
	}
	if (initrd && map_file(initrd, "initrd", &lb->initrd, &lb->initrd_len, err))
		goto fail;
	return 0;
fail:
	linux_boot_close(lb);
	return -1;
}

int linux_boot_load(const struct linux_boot *lb, const struct guest_mem *gm, unsigned ncpus,
		    const struct boot_screen *screen, uint64_t *entry, struct berth_error *err)
{
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE, .screen = screen };
	struct boot_params bp;

	if (bzimage_load(&lb->bz, gm, err))
		return -1;
	if (lb->initrd) {
		if (bzimage_place_initrd(&lb->bz, gm, lb->initrd_len, &args.initrd_addr, err) ||
		    gm_write(gm, args.initrd_addr, lb->initrd, lb->initrd_len))
			return -1;
		args.initrd_len = lb->initrd_len;
	}
	if (gm_write(gm, LAYOUT_CMDLINE, lb->cmdline, strlen(lb->cmdline) + 1))
		return berr(err, 0, "guest RAM too small for the command line");
	if (acpi_build(gm, ncpus, screen ? ACPI_I8042 : 0, &args.rsdp_addr, err) ||
	    cpu_write_boot_tables(gm, err))
		return -1;
	bootparams_build(&bp, &lb->bz, gm, &args);
	if (gm_write(gm, LAYOUT_ZERO_PAGE, &bp, sizeof(bp)))
		return berr(err, 0, "guest RAM too small for boot parameters");
	*entry = bzimage_entry64(&lb->bz);
	return 0;
}

void linux_boot_close(struct linux_boot *lb)
{
	if (lb->kernel)
		munmap(lb->kernel, lb->kernel_len);
	if (lb->initrd)
		munmap(lb->initrd, lb->initrd_len);
	lb->kernel = lb->initrd = NULL;
}

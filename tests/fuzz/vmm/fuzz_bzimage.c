/* fuzz_bzimage.c - libFuzzer target: a hostile kernel image through every boot-image parser.
 *
 * The input is taken as a bzImage: parsed, placed with an initrd whose size comes from the
 * input's last bytes, loaded into a small guest RAM from a file holding it (a memfd), and
 * turned into boot parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/boot/bzimage.h"
#include "vmm/x86/bootparams.h"
#include "vmm/x86/layout.h"

#define FUZZ_RAM (48u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static int fd = -1;
	struct berth_error err;
	struct boot_params bp;
	struct guest_mem gm;
	struct bzimage bz;
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE };
	uint32_t initrd_len = 0;

	if (!ram) {
		ram = calloc(1, FUZZ_RAM);
		fd = memfd_create("fuzz-kernel", 0);
		if (!ram || fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	gm_init_from(&gm, ram, FUZZ_RAM);
	if (bzimage_parse(data, size, size, &bz, &err))
		return 0;
	if (size >= 4)
		memcpy(&initrd_len, data + size - 4, 4);
	if (bzimage_load(
		&bz,
		&(struct boot_file){ .fd = fd, .size = size, .what = "kernel", .path = "fuzz" },
		&gm, &err) == 0 &&
	    initrd_len &&
	    bzimage_place_initrd(&bz, &gm, initrd_len, &args.initrd_addr, &err) == 0) {
		/* The placement must lie wholly inside RAM, above the kernel. */
		if (!gm_ptr(&gm, args.initrd_addr, initrd_len) || args.initrd_addr < bz.kernel_end)
			abort();
		args.initrd_len = initrd_len;
	}
	bootparams_build(&bp, &bz, &gm, &args);
	return 0;
}

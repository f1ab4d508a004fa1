/* fuzz_pvh_elf.c - libFuzzer target: a hostile ELF vmlinux through the PVH loader.
 *
 * The input is taken as a kernel file: checked (its notes read from the input), loaded into a
 * small guest RAM from a file holding it (a memfd), with an initrd placed above it whose size
 * comes from the input's last bytes, and hvm_start_info written. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/boot/pvh.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/start_info.h"

#define FUZZ_RAM (48u << 20)

struct input {
	const uint8_t *data;
	size_t size;
};

static int read_input(void *ctx, uint64_t off, void *dst, size_t len, struct berth_error *err)
{
	const struct input *in = ctx;

	/* The parser promised to stay inside the file. */
	if (off > in->size || in->size - off < len)
		abort();
	(void)err;
	memcpy(dst, in->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static int fd = -1;
	struct input in = { data, size };
	struct start_info_args args = { .cmdline_addr = LAYOUT_CMDLINE };
	struct berth_error err;
	struct guest_mem gm;
	struct pvh_elf pe;
	uint32_t initrd_len = 0;
	unsigned i;

	if (!ram) {
		ram = calloc(1, FUZZ_RAM);
		fd = memfd_create("fuzz-vmlinux", 0);
		if (!ram || fd < 0)
			abort();
	}
	if (pvh_elf_parse(data, size, size, read_input, &in, &pe, &err))
		return 0;
	for (i = 0; i < pe.nseg; i++) /* above the VMM's boot areas, never overflowing */
		if (pe.seg[i].paddr < LAYOUT_KERNEL || pe.seg[i].paddr + pe.seg[i].memsz > pe.end)
			abort();
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	gm_init_from(&gm, ram, FUZZ_RAM);
	if (size >= 4)
		memcpy(&initrd_len, data + size - 4, 4);
	if (pvh_elf_load(
		&pe,
		&(struct boot_file){ .fd = fd, .size = size, .what = "kernel", .path = "fuzz" },
		&gm, &err) == 0 &&
	    initrd_len &&
	    pvh_elf_place_initrd(&pe, &gm, initrd_len, &args.initrd_addr, &err) == 0) {
		if (!gm_ptr(&gm, args.initrd_addr, initrd_len) || args.initrd_addr < pe.end)
			abort();
		args.initrd_len = initrd_len;
	}
	if (start_info_write(&gm, &args, &err))
		abort();
	return 0;
}

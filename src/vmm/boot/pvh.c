/* pvh.c - load a PVH vmlinux's segments and place its initrd (see pvh.h). */
#include "pvh.h"

#include <string.h>

#include "vmm/boot/initrd.h"
#include "vmm/x86/layout.h"

_Static_assert(PVH_MIN_ADDR == LAYOUT_KERNEL, "a vmlinux lies above the VMM's boot areas");

int pvh_elf_load(const struct pvh_elf *pe, const struct boot_file *f, const struct guest_mem *gm,
		 struct berth_error *err)
{
	const struct pvh_segment *s;
	uint8_t *dst;
	unsigned i;

	if (pe->end > gm_low_size(gm))
		return berr(err, 0,
			    "the kernel needs %llu MiB of guest RAM to start; give --mem more",
			    (unsigned long long)((pe->end + (1 << 20) - 1) >> 20));
	for (i = 0; i < pe->nseg; i++) {
		s = &pe->seg[i];
		dst = gm_ptr(gm, s->paddr, s->memsz);
		if (!dst)
			return berr(err, 0, "kernel does not fit in guest RAM");
		if (boot_file_read(f, s->offset, dst, (size_t)s->filesz, err))
			return -1;
		memset(dst + s->filesz, 0, (size_t)(s->memsz - s->filesz));
	}
	return 0;
}

int pvh_elf_place_initrd(const struct pvh_elf *pe, const struct guest_mem *gm, uint64_t len,
			 uint64_t *addr, struct berth_error *err)
{
	return initrd_place(pe->end, gm_low_size(gm), len, addr, err);
}

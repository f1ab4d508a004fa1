/* initrd.c - where an initrd goes in guest RAM (see initrd.h). */
#include "initrd.h"

#define PAGE_SIZE 4096ULL

int initrd_place(uint64_t kernel_end, uint64_t top, uint64_t len, uint64_t *addr,
		 struct berth_error *err)
{
	uint64_t lowest = (kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (len > top || ((top - len) & ~(PAGE_SIZE - 1)) < lowest)
		return berr(err, 0,
			    "the initrd (%llu MiB) does not fit in guest RAM between the kernel "
			    "(ends at %llu MiB) and %llu MiB; give --mem more",
			    (unsigned long long)((len + (1 << 20) - 1) >> 20),
			    (unsigned long long)(lowest >> 20), (unsigned long long)(top >> 20));
	*addr = (top - len) & ~(PAGE_SIZE - 1);
	return 0;
}

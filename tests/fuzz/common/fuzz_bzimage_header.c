/* fuzz_bzimage_header.c - libFuzzer target: hostile kernel files through the bzImage header
 * check that berth-vmm and berthd share (src/common/bzimage_header.c), the way berthd calls
 * it: the input's first 4 bytes say how much longer the file is than the rest of the input,
 * of which at most BZ_HEAD_MAX bytes are read. berth-vmm's way (the whole file) is covered by
 * tests/fuzz/vmm/fuzz_bzimage.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bzimage_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err;
	struct bzimage_header bh;
	uint32_t beyond;
	size_t head_len;

	if (size < sizeof(beyond))
		return 0;
	memcpy(&beyond, data, sizeof(beyond));
	data += sizeof(beyond);
	size -= sizeof(beyond);
	head_len = size < BZ_HEAD_MAX ? size : BZ_HEAD_MAX;
	if (bzimage_header_parse(data, head_len, (uint64_t)size + beyond, &bh, &err))
		return 0;
	/* What the check accepted must be what the loader relies on. */
	if (bh.setup_len >= (uint64_t)size + beyond || !(bh.hdr.xloadflags & XLF_KERNEL_64))
		abort();
	/* A version is one word of text, printed as it is: none, or digits first, NUL-ended. */
	if (bh.version[0] && (bh.version[0] < '0' || bh.version[0] > '9'))
		abort();
	for (size_t i = 0; i < sizeof(bh.version) && bh.version[i]; i++)
		if (bh.version[i] <= ' ' || bh.version[i] > '~' || i == sizeof(bh.version) - 1)
			abort();
	return 0;
}

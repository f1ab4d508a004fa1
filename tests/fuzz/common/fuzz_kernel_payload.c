/* fuzz_kernel_payload.c - libFuzzer target: a hostile bzImage payload through each decompressor
 * (gzip, xz, zstd, lz4 legacy), with a small output cap so that a stated size past it is
 * refused rather than allocated; what comes out must be exactly the size the payload states. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/kernel_payload.h"

#define FUZZ_MAX (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err;
	uint32_t stated;
	uint8_t *out;
	size_t len;

	if (kernel_payload_decompress(data, size, FUZZ_MAX, &out, &len, &err))
		return 0;
	memcpy(&stated, data + size - 4, 4);
	if (len != stated || len > FUZZ_MAX)
		abort();
	free(out);
	return 0;
}

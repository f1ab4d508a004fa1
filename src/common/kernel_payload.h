/* kernel_payload.h - the compressed kernel inside a Linux x86 bzImage (its payload: the header's
 * payload_offset and payload_length), decompressed once by the host so that the guest need not
 * (berth-vmm --decompress, berthd's image import). The method is read from the payload's magic
 * and handed to its Debian library: gzip (zlib), xz (liblzma), zstd (libzstd), LZ4 legacy frames
 * (liblz4). The kernel's build appends the decompressed size as the payload's last 4 bytes; the
 * output must be exactly that long and at most KERNEL_PAYLOAD_MAX, so a decompression bomb is
 * refused. Reads only the buffer it is given; tests/fuzz/common/fuzz_kernel_payload.c drives it. */
#ifndef BERTH_COMMON_KERNEL_PAYLOAD_H
#define BERTH_COMMON_KERNEL_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* The largest decompressed kernel accepted (Debian's vmlinux is about 40-70 MiB). */
#define KERNEL_PAYLOAD_MAX (256u << 20)

/* Decompress a payload of len bytes into a new buffer *out (caller frees) of *out_len bytes,
 * at most max (itself at most KERNEL_PAYLOAD_MAX). */
int kernel_payload_decompress(const uint8_t *payload, size_t len, size_t max, uint8_t **out,
			      size_t *out_len, struct berth_error *err);

#endif

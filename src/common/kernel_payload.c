/* kernel_payload.c - decompress a bzImage's payload with the library its magic names (see
 * kernel_payload.h). */
#include "kernel_payload.h"

#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define LZ4_LEGACY_MAGIC     0x184C2102u
#define LZ4_LEGACY_BLOCK_MAX (8u << 20)	 /* each legacy block decompresses to at most this */
#define XZ_MEMLIMIT	     (64u << 20) /* the decoder's own memory, not the output */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int gzip_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len,
		       struct berth_error *err)
{
	z_stream z = { .next_in = (Bytef *)in, .next_out = out };
	int rc;

	if (len > UINT_MAX || out_len > UINT_MAX)
		return berr(err, 0, "gzip kernel payload too large");
	z.avail_in = (uInt)len;
	z.avail_out = (uInt)out_len;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return berr(err, ENOMEM, "zlib");
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END)
		return berr(err, 0,
			    "the gzip kernel payload is corrupt or larger than it says (%s)",
			    z.msg ? z.msg : "no end within the stated size");
	return z.total_out == out_len ? 0 : berr(err, 0, "the gzip kernel payload is short");
}

static int xz_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len,
		     struct berth_error *err)
{
	uint64_t memlimit = XZ_MEMLIMIT;
	size_t in_pos = 0, out_pos = 0;
	lzma_ret rc;

	rc =
	    lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, len, out, &out_pos, out_len);
	if (rc != LZMA_OK)
		return berr(err, 0,
			    "the xz kernel payload is corrupt or larger than it says "
			    "(liblzma error %d)",
			    (int)rc);
	return out_pos == out_len ? 0 : berr(err, 0, "the xz kernel payload is short");
}

static int zstd_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len,
		       struct berth_error *err)
{
	size_t n = ZSTD_decompress(out, out_len, in, len);

	if (ZSTD_isError(n))
		return berr(err, 0,
			    "the zstd kernel payload is corrupt or larger than it says (%s)",
			    ZSTD_getErrorName(n));
	return n == out_len ? 0 : berr(err, 0, "the zstd kernel payload is short");
}

/* LZ4's legacy frame (lz4 -l, what the kernel's build uses): the magic, then blocks, each its
 * compressed length and its bytes; the magic again starts another frame. liblz4's frame API
 * reads only the newer format, so the blocks are handed to LZ4_decompress_safe one by one. */
static int lz4_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len,
		      struct berth_error *err)
{
	size_t pos = 4, done = 0, room;
	uint32_t block;
	int n;

	while (len - pos >= 4) {
		block = le32(in + pos);
		pos += 4;
		if (block == LZ4_LEGACY_MAGIC)
			continue;
		if (block == 0 || block > len - pos ||
		    block > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK_MAX))
			return berr(err, 0, "the lz4 kernel payload has a bad block length");
		room =
		    out_len - done < LZ4_LEGACY_BLOCK_MAX ? out_len - done : LZ4_LEGACY_BLOCK_MAX;
		n = LZ4_decompress_safe((const char *)in + pos, (char *)out + done, (int)block,
					(int)room);
		if (n < 0)
			return berr(err, 0,
				    "the lz4 kernel payload is corrupt or larger than it says");
		done += (size_t)n;
		pos += block;
	}
	if (pos != len)
		return berr(err, 0, "the lz4 kernel payload ends inside a block header");
	return done == out_len ? 0 : berr(err, 0, "the lz4 kernel payload is short");
}

int kernel_payload_decompress(const uint8_t *payload, size_t len, size_t max, uint8_t **out,
			      size_t *out_len, struct berth_error *err)
{
	int (*decode)(const uint8_t *, size_t, uint8_t *, size_t, struct berth_error *);
	size_t size;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	if (max > KERNEL_PAYLOAD_MAX)
		max = KERNEL_PAYLOAD_MAX;
	if (len < 8)
		return berr(err, 0, "the kernel payload is too short to be compressed");
	if (payload[0] == 0x1f && payload[1] == 0x8b)
		decode = gzip_decode;
	else if (memcmp(payload,
			"\xfd"
			"7zXZ",
			5) == 0 &&
		 len >= 6)
		decode = xz_decode;
	else if (le32(payload) == 0xFD2FB528u)
		decode = zstd_decode;
	else if (le32(payload) == LZ4_LEGACY_MAGIC)
		decode = lz4_decode;
	else
		return berr(err, 0,
			    "the kernel payload is not gzip, xz, zstd or lz4 (it starts %02x %02x "
			    "%02x %02x); boot the bzImage itself",
			    payload[0], payload[1], payload[2], payload[3]);
	/* The kernel's build appends the decompressed size (scripts/Makefile.lib, size_append). */
	size = le32(payload + len - 4);
	if (size == 0 || size > max)
		return berr(err, 0,
			    "the kernel payload says it decompresses to %zu bytes (at most %zu)",
			    size, max);
	buf = malloc(size);
	if (!buf)
		return berr(err, ENOMEM, "decompressed kernel (%zu bytes)", size);
	if (decode(payload, len - 4, buf, size, err)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = size;
	return 0;
}

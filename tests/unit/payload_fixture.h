/* payload_fixture.h - a bzImage whose payload is the synthetic PVH vmlinux (pvh_fixture.h),
 * gzip-packed as the kernel's build does it (the decompressed size appended), for the tests of
 * the decompress-once path in common and berthd. */
#ifndef BERTH_TESTS_PAYLOAD_FIXTURE_H
#define BERTH_TESTS_PAYLOAD_FIXTURE_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "bzimage_fixture.h"
#include "pvh_fixture.h"

/* gzip len bytes of in into out (cap bytes), then append len; returns the payload's length. */
static inline size_t payload_gzip(uint8_t *out, size_t cap, const uint8_t *in, size_t len)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = len, .next_out = out, .avail_out = cap };
	uint32_t size = (uint32_t)len;

	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	memcpy(out + z.total_out, &size, 4);
	return z.total_out + 4;
}

/* Write into buf a bzImage (the fixture's header) carrying payload; returns its length. */
static inline size_t payload_bzimage(uint8_t *buf, const uint8_t *payload, size_t payload_len)
{
	size_t setup = (FIX_SETUP_SECTS + 1) * 512, len = setup + 0x100 + payload_len;
	struct setup_header *h = fixture_bzimage(buf);

	memset(buf + setup, 0, len - setup);
	h->syssize = (uint32_t)((len - setup + 15) / 16);
	h->payload_offset = 0x100;
	h->payload_length = (uint32_t)payload_len;
	memcpy(buf + setup + 0x100, payload, payload_len);
	return (len + 15) & ~(size_t)15;
}

#endif

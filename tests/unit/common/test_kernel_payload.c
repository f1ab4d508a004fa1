/* Unit tests for src/common/kernel_payload.c and vmlinux_cache.c: a synthesized vmlinux
 * compressed by each library the way the kernel's build does it (the size appended), hostile
 * payloads refused, and a bzImage's vmlinux extracted once into a directory. */
#include "testlib.h"

#include <dirent.h>
#include <fcntl.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/kernel_payload.h"
#include "common/vmlinux_cache.h"
#include "payload_fixture.h"

#define CAP (1 << 20)

static uint8_t vmlinux[PVH_FIX_LEN];
static uint8_t packed[CAP];

static size_t append_size(size_t len, uint32_t size)
{
	memcpy(packed + len, &size, 4);
	return len + 4;
}

static size_t pack_gzip(const uint8_t *in, size_t len)
{
	return payload_gzip(packed, CAP, in, len);
}

static size_t pack_xz(const uint8_t *in, size_t len)
{
	size_t out = 0;

	assert_int_equal(
	    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, packed, &out, CAP),
	    LZMA_OK);
	return append_size(out, len);
}

static size_t pack_zstd(const uint8_t *in, size_t len)
{
	size_t out = ZSTD_compress(packed, CAP, in, len, 19);

	assert_false(ZSTD_isError(out));
	return append_size(out, len);
}

/* lz4 -l: the legacy magic, then each block's length and bytes. */
static size_t pack_lz4(const uint8_t *in, size_t len)
{
	uint32_t magic = 0x184C2102;
	int n;

	memcpy(packed, &magic, 4);
	n = LZ4_compress_default((const char *)in, (char *)packed + 8, (int)len, CAP - 8);
	assert_true(n > 0);
	memcpy(packed + 4, &n, 4);
	return append_size(8 + (size_t)n, len);
}

static void decompresses_every_method(void **state)
{
	size_t (*pack[])(const uint8_t *, size_t) = { pack_gzip, pack_xz, pack_zstd, pack_lz4 };
	struct berth_error err = { 0 };
	uint8_t *out;
	size_t len, i;

	(void)state;
	fixture_vmlinux(vmlinux);
	for (i = 0; i < sizeof(pack) / sizeof(pack[0]); i++) {
		len = pack[i](vmlinux, PVH_FIX_LEN);
		assert_int_equal(kernel_payload_decompress(packed, len, CAP, &out, &len, &err), 0);
		assert_int_equal(len, PVH_FIX_LEN);
		assert_memory_equal(out, vmlinux, PVH_FIX_LEN);
		free(out);
	}
}

static void expect_refused(size_t len, size_t max, const char *needle)
{
	struct berth_error err = { 0 };
	uint8_t *out = (uint8_t *)1;
	size_t out_len = 1;

	assert_int_equal(kernel_payload_decompress(packed, len, max, &out, &out_len, &err), -1);
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_contains(err.msg, needle);
}

static void refuses_hostile_payloads(void **state)
{
	size_t (*pack[])(const uint8_t *, size_t) = { pack_gzip, pack_xz, pack_zstd, pack_lz4 };
	uint32_t small = PVH_FIX_LEN / 2;
	size_t len, i;

	(void)state;
	fixture_vmlinux(vmlinux);
	for (i = 0; i < sizeof(pack) / sizeof(pack[0]); i++) {
		len = pack[i](vmlinux, PVH_FIX_LEN);
		/* A bomb: more output than the size it states, or than the caller allows. */
		memcpy(packed + len - 4, &small, 4);
		expect_refused(len, CAP, "larger than it says");
		memcpy(packed + len - 4, &(uint32_t){ PVH_FIX_LEN }, 4);
		expect_refused(len, PVH_FIX_LEN - 1, "decompresses to 12288 bytes (at most 12287)");
		/* Less output than it states. */
		memcpy(packed + len - 4, &(uint32_t){ PVH_FIX_LEN + 1 }, 4);
		expect_refused(len, CAP, "");
		/* Cut short. */
		memcpy(packed + len - 14, &(uint32_t){ PVH_FIX_LEN }, 4);
		expect_refused(len - 10, CAP, "");
	}
	memcpy(packed, "BZh91AY&SY", 10); /* bzip2: not supported */
	expect_refused(64, CAP, "not gzip, xz, zstd or lz4");
	expect_refused(7, CAP, "too short");
	len = pack_lz4(vmlinux, PVH_FIX_LEN);
	memcpy(packed + 4, &(uint32_t){ 0xFFFFFFF0 }, 4);
	expect_refused(len, CAP, "bad block length");
	memcpy(packed + len - 4, &(uint32_t){ UINT32_MAX }, 4);
	expect_refused(len, SIZE_MAX, "(at most 268435456)");
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".vmlinux-", 9) == 0;
	closedir(d);
	return n;
}

static void extracts_once(void **state)
{
	static uint8_t bz[CAP + 4096];
	struct berth_error err = { 0 };
	char dir[256], kernel[256], out[512], again[512];
	struct stat st1, st2;
	uint8_t *data;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cache", testlib_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	fixture_vmlinux(vmlinux);
	len = payload_bzimage(bz, packed, pack_lz4(vmlinux, PVH_FIX_LEN));
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("bzImage", bz, len));
	assert_int_equal(vmlinux_cache(kernel, dir, out, sizeof(out), &err), 0);
	assert_contains(out, "/cache/vmlinux-");
	assert_int_equal(strlen(strstr(out, "vmlinux-")), 8 + 64);
	data = calloc(1, PVH_FIX_LEN + 1);
	f = fopen(out, "r");
	assert_non_null(f);
	assert_int_equal(fread(data, 1, PVH_FIX_LEN + 1, f), PVH_FIX_LEN);
	fclose(f);
	assert_memory_equal(data, vmlinux, PVH_FIX_LEN);
	free(data);
	assert_int_equal(stat(out, &st1), 0);
	/* Next time the same file, not a second extraction. */
	assert_int_equal(vmlinux_cache(kernel, dir, again, sizeof(again), &err), 0);
	assert_string_equal(again, out);
	assert_int_equal(stat(out, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(count_files(dir), 1);
	/* A payload that is no PVH ELF: refused, nothing left behind. */
	fixture_vmlinux(vmlinux).note->p_type = PT_NULL;
	len = payload_bzimage(bz, packed, pack_gzip(vmlinux, PVH_FIX_LEN));
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("bzImage-nopvh", bz, len));
	assert_int_equal(vmlinux_cache(kernel, dir, out, sizeof(out), &err), -1);
	assert_contains(err.msg, "cannot boot through PVH");
	assert_contains(err.msg, "no PVH entry note");
	assert_int_equal(count_files(dir), 1);
	/* A payload past the end of the file. */
	fixture_bzimage(bz)->payload_length = FIX_LEN;
	assert_int_equal(
	    vmlinux_cache(testlib_file("bzImage-out", bz, FIX_LEN), dir, out, sizeof(out), &err),
	    -1);
	assert_contains(err.msg, "payload lies outside the file");
	assert_int_equal(vmlinux_cache("/nonexistent", dir, out, sizeof(out), &err), -1);
	assert_contains(err.msg, "cannot open kernel '/nonexistent'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decompresses_every_method),
		cmocka_unit_test(refuses_hostile_payloads),
		cmocka_unit_test(extracts_once),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}

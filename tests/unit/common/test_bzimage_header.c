/* Unit tests for src/common/bzimage_header.c: every header check, on the whole file (as
 * berth-vmm gives it) and on its head only (as berthd does), and the kernel's version. */
#include "testlib.h"

#include "bzimage_fixture.h"
#include "common/bzimage_header.h"

static uint8_t img[FIX_LEN];

static void parses_valid_header(void **state)
{
	struct berth_error err;
	struct bzimage_header bh;

	(void)state;
	fixture_bzimage(img);
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, FIX_LEN, &bh, &err), 0);
	assert_int_equal(bh.setup_len, 1024);
	assert_int_equal(bh.hdr.version, 0x020f);
	assert_int_equal(bh.hdr.init_size, 0x800000);
}

/* One header field set to a bad value, the file length to parse, and the error expected. */
struct header_case {
	size_t offset, width;
	uint64_t value;
	size_t len;
	const char *needle;
};

#define HEADER_CASE(field, value, len, needle)                                                     \
	{                                                                                          \
		offsetof(struct setup_header, field), sizeof(((struct setup_header *)0)->field),   \
		    (value), (len), (needle)                                                       \
	}

static const struct header_case header_cases[] = {
	HEADER_CASE(boot_flag, 0xAA55, 0, "only 0 bytes"),
	HEADER_CASE(boot_flag, 0xAA55, 0x200, "only 512 bytes"),
	HEADER_CASE(header, 0x12345678, FIX_LEN, "no x86 boot header"),
	HEADER_CASE(boot_flag, 0, FIX_LEN, "no x86 boot header"),
	HEADER_CASE(version, 0x0206, FIX_LEN, "boot protocol 2.06"),
	HEADER_CASE(loadflags, 0, FIX_LEN, "zImage"),
	HEADER_CASE(xloadflags, 0, FIX_LEN, "no 64-bit entry point"),
	HEADER_CASE(init_size, 0, FIX_LEN, "init_size"),
	/* Truncation, by the file's length or by header fields that point past it. */
	HEADER_CASE(boot_flag, 0xAA55, FIX_LEN - 16,
		    "truncated bzImage: the header promises 4096 bytes"),
	HEADER_CASE(boot_flag, 0xAA55, 1024, "truncated bzImage: its setup code"),
	HEADER_CASE(setup_sects, 255, FIX_LEN, "setup code (131072 bytes) reaches past the end"),
	HEADER_CASE(syssize, 0xffffffff, FIX_LEN, "truncated"),
};

static void rejects_bad_headers(void **state)
{
	struct berth_error err = { 0 };
	struct bzimage_header bh;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const struct header_case *c = &header_cases[i];
		uint8_t *field = (uint8_t *)fixture_bzimage(img) + c->offset;

		memcpy(field, &c->value, c->width); /* little-endian: the low bytes of value */
		assert_int_equal(bzimage_header_parse(img, c->len, c->len, &bh, &err), -1);
		assert_contains(err.msg, c->needle);
	}
}

/* berthd reads only the head of a big file: lengths are checked against the file's. */
static void checks_head_of_bigger_file(void **state)
{
	struct berth_error err = { 0 };
	struct bzimage_header bh;
	struct setup_header *h;

	(void)state;
	h = fixture_bzimage(img);
	h->syssize = (64 << 20) / 16;
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, 1024 + (64 << 20), &bh, &err), 0);
	/* The last 16-byte paragraph may be short (memtest86+), a whole one may not. */
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, 1024 + (64 << 20) - 15, &bh, &err), 0);
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, 1024 + (64 << 20) - 16, &bh, &err), -1);
	assert_contains(err.msg, "promises 67108864 bytes of kernel but the file holds 67108848");
	/* A head longer than the file (it shrank) counts only up to the file's end. */
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, 0x200, &bh, &err), -1);
	assert_contains(err.msg, "only 512 bytes");
}

/* Parse img with the version string text at offset 0x300 (kernel_version 0x100). */
static const char *version_of(const char *text, size_t text_len)
{
	static struct bzimage_header bh;
	struct berth_error err = { 0 };

	fixture_bzimage(img)->kernel_version = 0x100;
	memcpy(img + 0x300, text, text_len);
	if (bzimage_header_parse(img, FIX_LEN, FIX_LEN, &bh, &err))
		fail_msg("%s", err.msg);
	return bh.version;
}

/* A real Linux kernel names its release; hand-made guests and garbage do not. */
static void tells_real_linux(void **state)
{
	static const char debian[] = "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	struct berth_error err = { 0 };
	struct bzimage_header bh;
	uint8_t tiny[4096];
	FILE *f;
	size_t n;

	(void)state;
	assert_string_equal(version_of(debian, sizeof(debian)), "6.1.0-57-cloud-amd64");
	assert_string_equal(version_of("6.12.9\0", 7), "6.12.9");
	assert_string_equal(version_of("Linux 6.1\0", 10), ""); /* not a release */
	assert_string_equal(version_of("6.1\x01\0", 5), "");	/* not text */
	assert_string_equal(version_of("\0", 1), "");		/* empty */
	fixture_bzimage(img)->kernel_version = 0x300;		/* 0x500: past the setup code */
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, FIX_LEN, &bh, &err), 0);
	assert_string_equal(bh.version, "");
	/* Digits up to the end of the setup code, with no end to the string. */
	fixture_bzimage(img)->kernel_version = 0x1f0;
	memset(img + 0x3f0, '6', 0x10);
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, FIX_LEN, &bh, &err), 0);
	assert_string_equal(bh.version, "");
	/* Longer than a release can be. */
	fixture_bzimage(img)->kernel_version = 0x100;
	memset(img + 0x300, '6', 0x80);
	assert_int_equal(bzimage_header_parse(img, FIX_LEN, FIX_LEN, &bh, &err), 0);
	assert_string_equal(bh.version, "");

	/* The tiny test guests are no Linux kernel. */
	f = fopen("build/guests/tiny-hello.bzImage", "rb");
	if (!f) {
		skip(); /* make guests */
		return;
	}
	n = fread(tiny, 1, sizeof(tiny), f);
	fclose(f);
	assert_int_equal(bzimage_header_parse(tiny, n, n, &bh, &err), 0);
	assert_string_equal(bh.version, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_valid_header),
		cmocka_unit_test(rejects_bad_headers),
		cmocka_unit_test(checks_head_of_bigger_file),
		cmocka_unit_test(tells_real_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/vmm/boot/bzimage.c, linux.c and boot_file.c: parsing, placement, loading. */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage_fixture.h"
#include "vmm/boot/bzimage.h"
#include "vmm/boot/linux.h"
#include "vmm/x86/layout.h"

static uint8_t img[FIX_LEN];

static void parses_valid_image(void **state)
{
	struct berth_error err;
	struct bzimage bz;

	(void)state;
	fixture_bzimage(img);
	assert_int_equal(bzimage_parse(img, FIX_LEN, FIX_LEN, &bz, &err), 0);
	assert_int_equal(bz.kernel_len, FIX_KERNEL_LEN);
	assert_int_equal(bz.load_addr, LAYOUT_KERNEL);
	/* Relocatable and loaded below its preferred address: it will run from there. */
	assert_int_equal(bz.kernel_end, 0x1000000 + 0x800000);
	assert_int_equal(bzimage_entry64(&bz), LAYOUT_KERNEL + 0x200);
}

static void expect_parse_error(size_t len, const char *needle)
{
	struct berth_error err = { 0 };
	struct bzimage bz;

	assert_int_equal(bzimage_parse(img, len, len, &bz, &err), -1);
	assert_contains(err.msg, needle);
}

/* The header's own checks are tested in tests/unit/common/test_bzimage_header.c. */
static void rejects_bad_header(void **state)
{
	(void)state;
	fixture_bzimage(img)->header = 0;
	expect_parse_error(FIX_LEN, "not a Linux bzImage: no x86 boot header");
	fixture_bzimage(img)->syssize = 0x1000;
	expect_parse_error(FIX_LEN, "truncated bzImage");
}

static void load_needs_room(void **state)
{
	struct berth_error err = { 0 };
	struct guest_mem gm;
	struct bzimage bz;
	uint8_t *ram = calloc(1, 16 << 20);

	(void)state;
	fixture_bzimage(img);
	assert_int_equal(bzimage_parse(img, FIX_LEN, FIX_LEN, &bz, &err), 0);
	gm_init_from(&gm, ram, 16 << 20);
	assert_int_equal(bzimage_load(&bz, &(struct boot_file){ .fd = -1 }, &gm, &err), -1);
	assert_string_equal(err.msg,
			    "the kernel needs 24 MiB of guest RAM to start; give --mem more");
	free(ram);
}

static void places_initrd(void **state)
{
	struct berth_error err = { 0 };
	struct guest_mem gm;
	struct bzimage bz;
	struct setup_header *h;
	uint64_t addr;

	(void)state;
	h = fixture_bzimage(img);
	assert_int_equal(bzimage_parse(img, FIX_LEN, FIX_LEN, &bz, &err), 0);
	gm_init_from(&gm, NULL, 512ULL << 20); /* layout only: nothing is written */
	assert_int_equal(bzimage_place_initrd(&bz, &gm, 10 << 20, &addr, &err), 0);
	assert_int_equal(addr % 4096, 0);
	assert_true(addr + (10 << 20) <= 512ULL << 20);
	assert_true(addr >= bz.kernel_end);
	/* initrd_addr_max is honoured. */
	h->initrd_addr_max = (64 << 20) - 1;
	assert_int_equal(bzimage_parse(img, FIX_LEN, FIX_LEN, &bz, &err), 0);
	assert_int_equal(bzimage_place_initrd(&bz, &gm, 1 << 20, &addr, &err), 0);
	assert_int_equal(addr, 63 << 20);
	/* Too big to fit between the kernel and the limit. */
	assert_int_equal(bzimage_place_initrd(&bz, &gm, 60 << 20, &addr, &err), -1);
	assert_contains(err.msg, "initrd (60 MiB) does not fit");
	assert_contains(err.msg, "; give --mem more"); /* and nothing after it */
	assert_string_equal(strstr(err.msg, "; give --mem more"), "; give --mem more");
	assert_int_equal(bzimage_place_initrd(&bz, &gm, UINT64_MAX, &addr, &err), -1);
}

static void expect_open_error(const char *kernel, const char *initrd, const char *cmdline,
			      const char *needle)
{
	struct berth_error err = { 0 };
	struct linux_boot lb;

	assert_int_equal(linux_boot_open(&lb, kernel, initrd, cmdline, &err), -1);
	assert_contains(err.msg, needle);
}

static void open_rejects_bad_files(void **state)
{
	char kernel[128], cmdline[4096];

	(void)state;
	fixture_bzimage(img);
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("bzImage", img, FIX_LEN));
	expect_open_error("/nonexistent/bzImage", NULL, "",
			  "cannot open kernel '/nonexistent/bzImage': No such file");
	expect_open_error(testlib_dir, NULL, "", "is not a regular file");
	expect_open_error(testlib_file("empty", "", 0), NULL, "", "is empty");
	expect_open_error(testlib_file("text", "hello world\n", 12), NULL, "",
			  "not a Linux bzImage");
	expect_open_error(testlib_file("trunc", img, FIX_LEN - 100), NULL, "", "truncated bzImage");
	expect_open_error(kernel, "/nonexistent/initrd", "",
			  "cannot open initrd '/nonexistent/initrd'");
	memset(cmdline, 'x', sizeof(cmdline) - 1);
	cmdline[sizeof(cmdline) - 1] = 0;
	expect_open_error(kernel, NULL, cmdline,
			  "command line is 4095 bytes; this kernel accepts at most 2047");
	if (geteuid() != 0) { /* root reads anything */
		chmod(kernel, 0);
		expect_open_error(kernel, NULL, "", "Permission denied");
	}
}

static void loads_everything(void **state)
{
	struct berth_error err = { 0 };
	struct boot_params *bp;
	struct linux_boot lb;
	struct guest_mem gm;
	uint64_t entry;
	static const char initrd[] = "initrd-bytes";
	char kernel[128];

	(void)state;
	fixture_bzimage(img);
	assert_int_equal(gm_init(&gm, 64 << 20, &err), 0);
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("k2", img, FIX_LEN));
	assert_int_equal(linux_boot_open(&lb, kernel, testlib_file("i2", initrd, sizeof(initrd)),
					 "console=ttyS0", &err),
			 0);
	assert_int_equal(linux_boot_load(&lb, &gm, 2, NULL, &entry, &err), 0);
	linux_boot_close(&lb);
	assert_int_equal(entry, LAYOUT_KERNEL + 0x200);
	bp = gm_ptr(&gm, LAYOUT_ZERO_PAGE, sizeof(*bp));
	assert_int_equal(bp->hdr.boot_flag, 0xAA55);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_string_equal((char *)gm_ptr(&gm, LAYOUT_CMDLINE, 14), "console=ttyS0");
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_memory_equal(gm_ptr(&gm, bp->hdr.ramdisk_image, sizeof(initrd)), initrd,
			    sizeof(initrd));
	assert_int_equal(bp->acpi_rsdp_addr, LAYOUT_ACPI);
	assert_memory_equal(gm_ptr(&gm, LAYOUT_KERNEL, 4), "\x90\x90\x90\x90", 4);
	gm_destroy(&gm);
}

/* Read system calls this process has made so far (/proc/self/io's syscr), read with one. */
static long read_calls(void)
{
	char buf[512], *p;
	int fd = open("/proc/self/io", O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = 0;
	p = strstr(buf, "syscr: ");
	assert_non_null(p);
	return strtol(p + 7, NULL, 10);
}

/* The files are read whole, with one large read each where the file system allows (the
 * kernel's head, its body, the initrd), never page by page through a mapping: on a file system
 * without a page cache (the rig's 9p) that is one round trip per 4 KiB page. */
static void reads_files_whole(void **state)
{
	enum { BODY = 16 << 20, INITRD = 8 << 20 };
	struct berth_error err = { 0 };
	char kernel[128], initrd[128];
	struct linux_boot lb;
	struct guest_mem gm;
	uint8_t *big = calloc(1, 1024 + BODY);
	uint64_t entry;
	long before, calls;

	(void)state;
	fixture_bzimage(img)->syssize = BODY / 16;
	memcpy(big, img, 1024);
	memset(big + 1024, 0x90, BODY);
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("big-kernel", big, 1024 + BODY));
	snprintf(initrd, sizeof(initrd), "%s", testlib_file("big-initrd", big, INITRD));
	assert_int_equal(gm_init(&gm, 128 << 20, &err), 0);
	before = read_calls();
	assert_int_equal(linux_boot_open(&lb, kernel, initrd, "", &err), 0);
	assert_int_equal(linux_boot_load(&lb, &gm, 1, NULL, &entry, &err), 0);
	calls = read_calls() - before - 1; /* the first read_calls() read once */
	linux_boot_close(&lb);
	assert_true(calls >= 3 && calls <= 4);
	assert_memory_equal(gm_ptr(&gm, LAYOUT_KERNEL, BODY), big + 1024, BODY);
	gm_destroy(&gm);
	free(big);
}

/* A file that shrank after it was opened is an error, not a guest booted from zeros. */
static void refuses_shrunk_file(void **state)
{
	struct berth_error err = { 0 };
	struct linux_boot lb;
	struct guest_mem gm;
	char kernel[128];
	uint64_t entry;

	(void)state;
	fixture_bzimage(img);
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("shrinks", img, FIX_LEN));
	assert_int_equal(gm_init(&gm, 64 << 20, &err), 0);
	assert_int_equal(linux_boot_open(&lb, kernel, NULL, "", &err), 0);
	assert_int_equal(truncate(kernel, FIX_LEN - 100), 0);
	assert_int_equal(linux_boot_load(&lb, &gm, 1, NULL, &entry, &err), -1);
	assert_contains(err.msg, "it changed while being read");
	linux_boot_close(&lb);
	gm_destroy(&gm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_valid_image),	  cmocka_unit_test(rejects_bad_header),
		cmocka_unit_test(load_needs_room),	  cmocka_unit_test(places_initrd),
		cmocka_unit_test(open_rejects_bad_files), cmocka_unit_test(loads_everything),
		cmocka_unit_test(reads_files_whole),	  cmocka_unit_test(refuses_shrunk_file),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}

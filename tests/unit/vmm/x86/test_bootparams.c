/* Unit tests for src/vmm/x86/bootparams.c: the zero page and its e820 map. */
#include "testlib.h"

#include "bzimage_fixture.h"
#include "vmm/x86/bootparams.h"
#include "vmm/x86/layout.h"

static uint8_t img[FIX_LEN];

static void build(struct boot_params *bp, uint64_t mem, const struct boot_args *args)
{
	struct berth_error err;
	struct guest_mem gm;
	struct bzimage bz;

	fixture_bzimage(img);
	assert_int_equal(bzimage_parse(img, FIX_LEN, FIX_LEN, &bz, &err), 0);
	gm_init_from(&gm, NULL, mem); /* layout only */
	bootparams_build(bp, &bz, &gm, args);
}

static void assert_e820(const struct boot_e820_entry *e, uint64_t addr, uint64_t size,
			uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void small_guest(void **state)
{
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE, .rsdp_addr = LAYOUT_ACPI };
	static struct boot_params bp;

	(void)state;
	build(&bp, 512ULL << 20, &args);
	assert_int_equal(bp.e820_entries, 4);
	assert_e820(&bp.e820_table[0], 0, LAYOUT_EBDA, 1);
	assert_e820(&bp.e820_table[1], LAYOUT_EBDA, LAYOUT_KERNEL - LAYOUT_EBDA, 2);
	assert_e820(&bp.e820_table[2], LAYOUT_KERNEL, (512ULL << 20) - LAYOUT_KERNEL, 1);
	/* ECAM is reserved (Linux uses MMCONFIG only then); the BAR window is not. */
	assert_e820(&bp.e820_table[3], LAYOUT_PCI_ECAM, LAYOUT_PCI_ECAM_SIZE, 2);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.boot_flag, 0xAA55);
	assert_int_equal(bp.hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_int_equal(bp.ext_cmd_line_ptr, 0);
	assert_int_equal(bp.hdr.ramdisk_image, 0);
	assert_int_equal(bp.hdr.ramdisk_size, 0);
	assert_int_equal(bp.acpi_rsdp_addr, LAYOUT_ACPI);
	assert_true(bp.hdr.loadflags & CAN_USE_HEAP);
	assert_int_equal(bp.hdr.code32_start, LAYOUT_KERNEL);
}

static void guest_above_4g(void **state)
{
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE,
				  .initrd_addr = 0x12345000,
				  .initrd_len = 777 };
	static struct boot_params bp;

	(void)state;
	build(&bp, 5ULL << 30, &args);
	assert_int_equal(bp.e820_entries, 5);
	assert_e820(&bp.e820_table[2], LAYOUT_KERNEL, GM_HOLE_START - LAYOUT_KERNEL, 1);
	assert_e820(&bp.e820_table[3], LAYOUT_PCI_ECAM, LAYOUT_PCI_ECAM_SIZE, 2);
	assert_e820(&bp.e820_table[4], GM_HIGH_START, (5ULL << 30) - GM_HOLE_START, 1);
	assert_int_equal(bp.hdr.ramdisk_image, 0x12345000);
	assert_int_equal(bp.hdr.ramdisk_size, 777);
	assert_int_equal(bp.ext_ramdisk_image, 0);
	assert_int_equal(bp.acpi_rsdp_addr, 0);
}

static void high_addresses_split(void **state)
{
	struct boot_args args = { .cmdline_addr = 0x100002000ULL,
				  .initrd_addr = 0x180000000ULL,
				  .initrd_len = 0x100000001ULL };
	static struct boot_params bp;

	(void)state;
	build(&bp, 8ULL << 30, &args);
	assert_int_equal(bp.hdr.cmd_line_ptr, 0x2000);
	assert_int_equal(bp.ext_cmd_line_ptr, 1);
	assert_int_equal(bp.hdr.ramdisk_image, 0x80000000);
	assert_int_equal(bp.ext_ramdisk_image, 1);
	assert_int_equal(bp.hdr.ramdisk_size, 1);
	assert_int_equal(bp.ext_ramdisk_size, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_guest),
		cmocka_unit_test(guest_above_4g),
		cmocka_unit_test(high_addresses_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

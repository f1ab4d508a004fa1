/* Unit tests for the firmware's machine: fw_cfg (src/vmm/dev/fw_cfg.c) with the items of
 * src/vmm/boot/firmware.c, the ROM image checks, and the CMOS clock (src/vmm/dev/cmos.c). */
#include "testlib.h"

#include <endian.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/boot/firmware.h"
#include "vmm/dev/cmos.h"
#include "vmm/dev/fw_cfg.h"

#define RAM (1u << 20)

static uint8_t ram[RAM];

/* A DMA transfer of control and length to address, its descriptor at 0x1000. */
static uint32_t dma(struct fw_cfg *fw, uint32_t control, uint32_t length, uint64_t address)
{
	uint32_t d[2] = { htobe32(control), htobe32(length) }, v;
	uint64_t a = htobe64(address);

	memcpy(ram + 0x1000, d, 8);
	memcpy(ram + 0x1008, &a, 8);
	v = htobe32(0);
	fw_cfg_io(fw, 4, (uint8_t *)&v, 4, true);
	v = htobe32(0x1000);
	fw_cfg_io(fw, 8, (uint8_t *)&v, 4, true);
	memcpy(&v, ram + 0x1000, 4);
	return be32toh(v);
}

static void fw_cfg_reads(void **state)
{
	struct berth_error err = { 0 };
	struct guest_mem gm;
	struct fw_cfg fw;
	uint8_t sel[2] = { FW_CFG_SIGNATURE, 0 }, b;
	char sig[5] = { 0 };
	uint32_t count;
	unsigned i;

	(void)state;
	memset(ram, 0xaa, sizeof(ram));
	gm_init_from(&gm, ram, RAM);
	assert_int_equal(fw_cfg_init(&fw, &gm, &err), 0);
	assert_int_equal(firmware_fw_cfg(&fw, &gm, 2, false, &err), 0);
	/* The signature through the data port, then zeroes past its end. */
	fw_cfg_io(&fw, 0, sel, 2, true);
	for (i = 0; i < 4; i++)
		fw_cfg_io(&fw, 1, (uint8_t *)&sig[i], 1, false);
	assert_string_equal(sig, "QEMU");
	fw_cfg_io(&fw, 1, &b, 1, false);
	assert_int_equal(b, 0);
	/* The directory by DMA: a read past the item's end is filled with zeroes. */
	assert_int_equal(
	    dma(&fw, FW_CFG_FILE_DIR << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, 0x2000), 0);
	memcpy(&count, ram + 0x2000, 4);
	assert_int_equal(be32toh(count), 7); /* e820, sercon, boot-fail-wait, bootorder, ACPI x3 */
	assert_int_equal(
	    dma(&fw, FW_CFG_NB_CPUS << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 8, 0x3000), 0);
	assert_int_equal(ram[0x3000], 2);
	assert_int_equal(ram[0x3002], 0); /* zeroes after the 2-byte item */
	assert_int_equal(ram[0x3007], 0);
	/* Hostile transfers: outside RAM, a write, a huge length: the error bit, RAM untouched. */
	assert_int_equal(dma(&fw, FW_CFG_DMA_READ, 16, RAM - 8), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&fw, FW_CFG_DMA_READ, 0xffffffff, 0), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&fw, FW_CFG_DMA_WRITE, 4, 0x2000), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&fw, FW_CFG_DMA_READ, 4, 0xffffffffffffff00ULL), FW_CFG_DMA_ERROR);
	/* An unknown selector reads zeroes. */
	assert_int_equal(dma(&fw, 0x7777u << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 2, 0x4000),
			 0);
	assert_int_equal(ram[0x4000], 0);
	fw_cfg_destroy(&fw);
}

static void firmware_files(void **state)
{
	struct berth_error err = { 0 };
	struct firmware rom;
	char path[] = "/tmp/berth-fw-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(firmware_open(&rom, path, &err), -1);
	assert_contains(err.msg, "is empty");
	assert_int_equal(ftruncate(fd, 1000), 0);
	assert_int_equal(firmware_open(&rom, path, &err), -1);
	assert_contains(err.msg, "not a whole number of 64 KiB");
	assert_int_equal(ftruncate(fd, 512 << 10), 0);
	assert_int_equal(firmware_open(&rom, path, &err), -1);
	assert_contains(err.msg, "larger than the ROM window");
	assert_int_equal(ftruncate(fd, 128 << 10), 0);
	assert_int_equal(firmware_open(&rom, path, &err), 0);
	assert_int_equal(rom.len, 128 << 10);
	firmware_close(&rom);
	close(fd);
	unlink(path);
	assert_int_equal(firmware_open(&rom, path, &err), -1);
	assert_contains(err.msg, "cannot open firmware");
}

static void cmos_registers(void **state)
{
	struct cmos c;
	uint8_t v, idx;

	(void)state;
	cmos_init(&c, 3ULL << 30, 1ULL << 30, 4);
	idx = 0x34;
	cmos_io(&c, 0, &idx, 1, true);
	cmos_io(&c, 1, &v, 1, false);
	assert_int_equal(v, (uint8_t)(((3ULL << 30) - (16 << 20)) >> 16));
	idx = 0x5f;
	cmos_io(&c, 0, &idx, 1, true);
	cmos_io(&c, 1, &v, 1, false);
	assert_int_equal(v, 3);
	idx = 0x80 | 0x0d; /* with the NMI-mask bit: the index is masked */
	cmos_io(&c, 0, &idx, 1, true);
	cmos_io(&c, 1, &v, 1, false);
	assert_int_equal(v, 0x80);
	idx = 0x09; /* the year, in BCD */
	cmos_io(&c, 0, &idx, 1, true);
	cmos_io(&c, 1, &v, 1, false);
	assert_true((v >> 4) < 10 && (v & 15) < 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fw_cfg_reads),
		cmocka_unit_test(firmware_files),
		cmocka_unit_test(cmos_registers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

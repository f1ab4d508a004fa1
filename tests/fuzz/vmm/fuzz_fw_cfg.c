/* fuzz_fw_cfg.c - libFuzzer target: a hostile guest's fw_cfg accesses (src/vmm/dev/fw_cfg.c).
 *
 * The device holds the items SeaBIOS reads (e820, the ACPI tables and their loader, ...) and
 * reaches a 64 KiB guest RAM whose first half the input fills. The input is a list of 8-byte
 * operations: a selector write, data reads, a DMA descriptor written into RAM and run (its
 * address, length and control from the input), a read of the DMA signature. Guest memory
 * outside RAM must never be touched (ASan), a descriptor outside RAM changes nothing, and
 * each transfer writes back a control word of 0 or the error bit. */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/firmware.h"
#include "vmm/dev/fw_cfg.h"

#define FUZZ_RAM     (64u << 10)
#define FUZZ_OP	     8
#define FUZZ_MAX_OPS 512

static void fuzz_op(struct fw_cfg *fw, uint8_t *ram, const uint8_t *op)
{
	uint8_t data[8];
	uint32_t v, desc = (op[1] | op[2] << 8) % FUZZ_RAM;
	uint32_t control, length, got;
	uint64_t address;

	switch (op[0] % 5) {
	case 0: /* select */
		memcpy(data, op + 1, 2);
		fw_cfg_io(fw, 0, data, 2, true);
		break;
	case 1: /* data reads, and odd widths and offsets */
		fw_cfg_io(fw, op[1] % FW_CFG_PORTS, data, 1u << (op[2] % 4), op[3] & 1);
		break;
	case 2: /* a DMA descriptor at desc, run by writing its address's low half */
		control = (uint32_t)op[3] << 16 | (op[4] & 0x1f) | (uint32_t)op[5] << 24;
		length = (uint32_t)op[6] << (op[7] % 24);
		address = op[7] & 0x80 ? (uint64_t)op[6] << 56 | op[5] : (op[5] | op[6] << 8);
		if (desc + 16 <= FUZZ_RAM) {
			uint32_t be[2] = { htobe32(control), htobe32(length) };
			uint64_t ba = htobe64(address);

			memcpy(ram + desc, be, 8);
			memcpy(ram + desc + 8, &ba, 8);
		}
		v = htobe32(op[7] & 0x40 ? 1 : 0);
		fw_cfg_io(fw, 4, (uint8_t *)&v, 4, true);
		v = htobe32(desc);
		fw_cfg_io(fw, 8, (uint8_t *)&v, 4, true);
		if (!(op[7] & 0x40) && desc + 16 <= FUZZ_RAM) {
			memcpy(&got, ram + desc, 4);
			got = be32toh(got);
			if (got != 0 && got != FW_CFG_DMA_ERROR)
				abort();
		}
		break;
	case 3: /* the signature at 0x514 */
		fw_cfg_io(fw, 4 + op[1] % 8, data, 1, false);
		break;
	default: /* a guest reset */
		if (op[1] == 0xff)
			fw_cfg_reset(fw);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ram[FUZZ_RAM];
	static struct fw_cfg fw;
	static struct guest_mem gm;
	static int ready;
	struct berth_error err;
	size_t i;

	if (!ready) {
		gm_init_from(&gm, ram, FUZZ_RAM);
		if (fw_cfg_init(&fw, &gm, &err) || firmware_fw_cfg(&fw, &gm, 2, false, &err))
			abort();
		ready = 1;
	}
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data, size < FUZZ_RAM / 2 ? size : FUZZ_RAM / 2);
	fw_cfg_reset(&fw);
	for (i = 0; i + FUZZ_OP <= size && i / FUZZ_OP < FUZZ_MAX_OPS; i += FUZZ_OP)
		fuzz_op(&fw, ram, data + i);
	return 0;
}

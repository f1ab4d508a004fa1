/* fuzz_bochs_display.c - libFuzzer target: a hostile guest's accesses to bochs-display's
 * BARs (src/vmm/dev/bochs_display.c) and the VBE register file behind them (vbe.c).
 *
 * The device has a small framebuffer and a ROM. The input is a list of 8-byte operations:
 * an access to the framebuffer, the register BAR or the ROM at any offset inside it, of
 * 1, 2, 4 or 8 bytes, read or write, with any value. After each one, the mode the registers
 * describe (if any) must lie wholly inside the framebuffer; at the end the screen is copied
 * out through that mode, which must never read outside the framebuffer (ASan). */
#include <stdlib.h>
#include <string.h>

#include "vmm/dev/bochs_display.h"

#define FUZZ_FB	     (256u << 10)
#define FUZZ_ROM     5000 /* not a power of two: the ROM BAR is larger than the ROM */
#define FUZZ_OP	     8
#define FUZZ_MAX_OPS 1024

static void fuzz_check_mode(struct bochs_display *d)
{
	struct vbe_mode m;

	if (!vbe_mode(&d->vbe, &m))
		return;
	if (m.width == 0 || m.height == 0 || m.bytes_pp < 2 || m.bytes_pp > 4 ||
	    m.offset + (uint64_t)(m.height - 1) * m.stride + (uint64_t)m.width * m.bytes_pp >
		FUZZ_FB)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const uint32_t lens[] = { 1, 2, 4, 8 };
	struct bochs_display d;
	struct berth_error err = { 0 };
	struct screen s;
	uint8_t *rom = malloc(FUZZ_ROM);
	size_t i;

	if (!rom)
		return 0;
	memset(rom, 0x55, FUZZ_ROM);
	if (bochs_display_init(&d, FUZZ_FB, rom, FUZZ_ROM, NULL, &err))
		abort();
	for (i = 0; i + FUZZ_OP <= size && i / FUZZ_OP < FUZZ_MAX_OPS; i += FUZZ_OP) {
		const uint8_t *op = in + i;
		unsigned bar = op[0] % 3 == 0 ? 0 : op[0] % 3 == 1 ? 2 : PCI_ROM_REGION;
		uint32_t len = lens[(op[0] >> 2) & 3], bar_size = d.pci.bar_size[bar];
		bool is_write = op[0] & 0x10;
		uint64_t off = (uint32_t)(op[1] | op[2] << 8 | op[3] << 16) % bar_size;
		uint8_t data[8];

		/* Registers are where the interest is: aim half the BAR 2 accesses at them. */
		if (bar == 2 && (op[0] & 0x20))
			off = 0x500 + (op[1] % 0x120);
		if (off + len > bar_size)
			off = bar_size - len; /* the bus passes only accesses inside the BAR */
		memcpy(data, op + 4, 4);
		memcpy(data + 4, op + 4, 4);
		d.pci.ops->bar_access(&d.pci, bar, off, data, len, is_write);
		fuzz_check_mode(&d);
	}
	if (bochs_display_snapshot(&d, &s) == 0)
		free(s.pixels);
	bochs_display_destroy(&d);
	return 0;
}

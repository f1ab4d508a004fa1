/* fuzz_virtio_pci - a hostile guest driver against the PCI bus, MSI-X and the virtio-pci
 * transport (with virtio-rng behind it): the input is a script of config-space accesses,
 * BAR 0 accesses, writes into guest RAM where the rings live, and event-loop rounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../unit/vmm/virtio/pci_fixture.h"

enum { OP_CFG_READ, OP_CFG_WRITE, OP_BAR_READ, OP_BAR_WRITE, OP_RAM, OP_RUN, OP_ENABLE, OP_COUNT };

#define STEP 12 /* op, width, 2 bytes offset, 8 bytes value */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };
	struct pf *f = malloc(sizeof(*f));

	if (!f || pf_init(f)) {
		free(f);
		return 0;
	}
	pf_enable(f);
	for (size_t i = 0; i + STEP <= size; i += STEP) {
		const uint8_t *s = data + i;
		unsigned width = widths[s[1] & 3];
		uint16_t off = (uint16_t)(s[2] | s[3] << 8);
		uint64_t v;

		memcpy(&v, s + 4, 8);
		switch (s[0] % OP_COUNT) {
		case OP_CFG_READ:
			pf_cfg_read(f, off >> 8 & 3, off & 0xFF, width > 4 ? 4 : width);
			break;
		case OP_CFG_WRITE:
			pf_cfg_write(f, off >> 8 & 3, off & 0xFF, width > 4 ? 4 : width,
				     (uint32_t)v);
			break;
		case OP_BAR_READ:
			pf_read(f, off & 0x7FFF, width);
			break;
		case OP_BAR_WRITE:
			pf_write(f, off & 0x7FFF, width, v);
			break;
		case OP_RAM: /* the rings and buffers the driver would set up, anywhere in the first
				128 KiB */
			memcpy(f->ram + ((uint32_t)off << 1), &v, 8);
			break;
		case OP_RUN:
			pf_run(f);
			break;
		case OP_ENABLE:
			pf_enable(f);
			break;
		}
	}
	pf_run(f);
	pf_destroy(f);
	free(f);
	return 0;
}

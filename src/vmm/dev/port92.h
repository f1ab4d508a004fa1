/* port92.h - System control port A (0x92): the "fast A20" gate and fast reset.
 *
 * KVM has no A20 gate (the address line is always on), so the bit is only remembered for
 * the guest to read back; writing bit 0 resets the machine, as on a PC. */
#ifndef BERTH_VMM_DEV_PORT92_H
#define BERTH_VMM_DEV_PORT92_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/machine.h"

#define PORT92 0x92

struct port92 {
	struct machine *machine;
	uint8_t value; /* bit 1: A20 */
};

/* Bus handler for port 0x92. */
void port92_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif

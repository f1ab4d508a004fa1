/* i8042.h - the keyboard controller's reset line, the only part of it berth-vmm models.
 *
 * Linux's `reboot=k` (and its fallback reboot path) writes 0xFE to port 0x64. The
 * ACPI tables say there is no 8042, so the guest never probes for a keyboard. */
#ifndef BERTH_VMM_DEV_I8042_H
#define BERTH_VMM_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/machine.h"

/* Bus handler for ports 0x60-0x64; opaque is the struct machine to reset. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif

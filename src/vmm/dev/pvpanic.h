/* pvpanic.h - the pvpanic port (ACPI device QEMU0001): the guest says "I panicked". */
#ifndef BERTH_VMM_DEV_PVPANIC_H
#define BERTH_VMM_DEV_PVPANIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/machine.h"

/* Bus handler for the one pvpanic port; opaque is the struct machine to tell. */
void pvpanic_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif

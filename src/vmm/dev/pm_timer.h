/* pm_timer.h - the ACPI power-management timer: a 32-bit counter at 3.579545 MHz (FADT
 * TMR_VAL_EXT), read from port PORT_ACPI_PM + 8. Firmware times its waits with it; it
 * counts the host's monotonic clock, so it needs no state and no thread. */
#ifndef BERTH_VMM_DEV_PM_TIMER_H
#define BERTH_VMM_DEV_PM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define PM_TIMER_PORTS 4
#define PM_TIMER_HZ    3579545ULL

/* Bus handler for the timer's 4 ports. */
void pm_timer_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif

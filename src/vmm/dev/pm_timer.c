/* pm_timer.c - the ACPI PM timer (see pm_timer.h). */
#include "pm_timer.h"

#include <string.h>
#include <time.h>

void pm_timer_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct timespec ts;
	uint32_t ticks;
	uint64_t i;

	(void)opaque;
	if (is_write)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* Split so that the product cannot overflow: whole seconds, then the nanoseconds. */
	ticks = (uint32_t)((uint64_t)ts.tv_sec * PM_TIMER_HZ +
			   (uint64_t)ts.tv_nsec * PM_TIMER_HZ / 1000000000ULL);
	memset(data, 0, len);
	for (i = 0; i < len && offset + i < PM_TIMER_PORTS; i++)
		data[i] = (uint8_t)(ticks >> (8 * (offset + i)));
}

/* pvpanic.c - reading the port gives the events supported; writing PANICKED reports a panic. */
#include "pvpanic.h"

#include <string.h>

#define PVPANIC_PANICKED 1u

void pvpanic_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct machine *m = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		data[0] = PVPANIC_PANICKED;
		return;
	}
	if (data[0] & PVPANIC_PANICKED)
		m->request(m, MACHINE_PANIC);
}

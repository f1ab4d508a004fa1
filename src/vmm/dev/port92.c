/* port92.c - system control port A (see port92.h). */
#include "port92.h"

#include <string.h>

#define PORT92_RESET 0x01
#define PORT92_A20   0x02

void port92_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct port92 *p = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		data[0] = __atomic_load_n(&p->value, __ATOMIC_RELAXED) | PORT92_A20;
		return;
	}
	__atomic_store_n(&p->value, data[0] & PORT92_A20, __ATOMIC_RELAXED);
	if (data[0] & PORT92_RESET)
		p->machine->request(p->machine, MACHINE_RESET);
}

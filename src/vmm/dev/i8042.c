/* i8042.c - keyboard-controller reset (command 0xFE on port 0x64). */
#include "i8042.h"

#include <string.h>

#define I8042_CMD_OFFSET 4
#define I8042_CMD_RESET	 0xFE

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct machine *m = opaque;

	if (!is_write) {
		memset(data, 0, len); /* status: no data, input buffer empty */
		return;
	}
	if (offset == I8042_CMD_OFFSET && data[0] == I8042_CMD_RESET)
		m->request(m, MACHINE_RESET);
}

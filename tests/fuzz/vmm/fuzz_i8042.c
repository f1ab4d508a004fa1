/* fuzz_i8042.c - libFuzzer target: a hostile guest's accesses to the keyboard controller
 * (src/vmm/dev/i8042.c), mixed with key events from a VNC client.
 *
 * The input is a list of 2-byte operations: a read or write of port 0x60 or 0x64 with a
 * value, a reset, or a key event. The queue must never hold more than I8042_QUEUE bytes,
 * IRQ 1 must only be pulsed (up, then down), and only the reset commands may ask anything of
 * the machine. */
#include <stdlib.h>

#include "vmm/dev/i8042.h"

static int irq_level;

static void fuzz_set_irq(struct machine *m, unsigned gsi, int level)
{
	(void)m;
	if (gsi != I8042_IRQ_KBD || level == irq_level)
		abort();
	irq_level = level;
}

static void fuzz_request(struct machine *m, enum machine_request req)
{
	(void)m;
	if (req != MACHINE_RESET)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static struct machine m = { .set_irq = fuzz_set_irq, .request = fuzz_request };
	struct i8042 k;
	size_t i;

	irq_level = 0;
	i8042_init(&k, &m, size && in[0] & 1);
	for (i = 1; i + 2 <= size; i += 2) {
		uint8_t op = in[i], v[2] = { in[i + 1], 0 };

		switch (op % 6) {
		case 0:
		case 1:
			i8042_io(&k, (op % 2) * 4, v, 1, false);
			break;
		case 2:
		case 3:
			i8042_io(&k, (op % 2) * 4, v, 1, true);
			break;
		case 4:
			i8042_key(&k, v[0], op & 0x80);
			break;
		default:
			if (op & 0x40)
				i8042_reset(&k);
			else
				i8042_io(&k, op % 5, v, op & 0x80 ? 2 : 1, op & 0x20);
			break;
		}
		if (k.count > I8042_QUEUE || k.head >= I8042_QUEUE || irq_level)
			abort();
	}
	pthread_mutex_destroy(&k.lock);
	return 0;
}

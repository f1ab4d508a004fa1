/* Unit tests for src/vmm/dev: UART, ACPI PM block, i8042 reset, pvpanic. */
#include "testlib.h"

#include "vmm/bus.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/pvpanic.h"
#include "vmm/dev/uart.h"

struct fake_machine {
	struct machine m;
	int level[16];
	int requests[3];
};

static void fake_set_irq(struct machine *m, unsigned gsi, int level)
{
	((struct fake_machine *)m)->level[gsi] = level;
}

static void fake_request(struct machine *m, enum machine_request req)
{
	((struct fake_machine *)m)->requests[req]++;
}

static struct fake_machine fm;

static int reset_machine(void **state)
{
	(void)state;
	memset(&fm, 0, sizeof(fm));
	fm.m.set_irq = fake_set_irq;
	fm.m.request = fake_request;
	return 0;
}

static uint8_t io8(bus_handler_fn fn, void *dev, uint64_t off)
{
	uint8_t v = 0;

	fn(dev, off, &v, 1, false);
	return v;
}

static void out8(bus_handler_fn fn, void *dev, uint64_t off, uint8_t v)
{
	fn(dev, off, &v, 1, true);
}

/* The host end of the line: what the guest sent, and how often it was told of room. */
struct fake_line {
	struct uart_line line;
	char out[8];
	unsigned nout, rooms;
};

static void fake_transmit(void *opaque, uint8_t c)
{
	struct fake_line *f = opaque;

	if (f->nout < sizeof(f->out) - 1)
		f->out[f->nout++] = (char)c;
}

static void fake_rx_room(void *opaque)
{
	((struct fake_line *)opaque)->rooms++;
}

static void fake_line_init(struct fake_line *f)
{
	memset(f, 0, sizeof(*f));
	f->line =
	    (struct uart_line){ .transmit = fake_transmit, .rx_room = fake_rx_room, .opaque = f };
}

static void uart_transmits_and_interrupts(void **state)
{
	struct uart u;
	struct fake_line f;

	(void)state;
	fake_line_init(&f);
	uart_init(&u, &fm.m, 4, &f.line);
	out8(uart_io, &u, 0, 'h');
	out8(uart_io, &u, 0, 'i');
	assert_string_equal(f.out, "hi");
	assert_int_equal(fm.level[4], 0);
	assert_int_equal(io8(uart_io, &u, 5) & 0x60, 0x60); /* THRE | TEMT */
	out8(uart_io, &u, 2, 0x01);			    /* enable FIFOs */
	out8(uart_io, &u, 1, 0x02);			    /* enable THRE interrupt */
	assert_int_equal(fm.level[4], 1);
	assert_int_equal(io8(uart_io, &u, 2), 0xc2); /* reading IIR acknowledges it */
	assert_int_equal(fm.level[4], 0);
	assert_int_equal(io8(uart_io, &u, 2), 0xc1);
	out8(uart_io, &u, 0, '!');
	assert_int_equal(fm.level[4], 1); /* empty again after the byte left */
}

static void uart_receives(void **state)
{
	struct uart u;

	(void)state;
	uart_init(&u, &fm.m, 4, NULL);
	out8(uart_io, &u, 1, 0x01); /* receive interrupt */
	assert_int_equal(uart_receive(&u, (const uint8_t *)"ab", 2), 2);
	assert_int_equal(fm.level[4], 1);
	assert_int_equal(io8(uart_io, &u, 5) & 1, 1);
	assert_int_equal(io8(uart_io, &u, 2) & 0x0f, 0x04);
	assert_int_equal(io8(uart_io, &u, 0), 'a');
	assert_int_equal(io8(uart_io, &u, 0), 'b');
	assert_int_equal(io8(uart_io, &u, 5) & 1, 0);
	assert_int_equal(fm.level[4], 0);
	assert_int_equal(io8(uart_io, &u, 0), 0); /* empty reads 0, never underflows */
	/* A full FIFO takes no more. */
	{
		static uint8_t big[UART_RX_SIZE + 10];

		assert_int_equal(uart_receive(&u, big, sizeof(big)), UART_RX_SIZE);
	}
}

/* A full buffer owes its line one rx_room, once the guest has read half of it. */
static void uart_tells_of_room(void **state)
{
	static uint8_t big[UART_RX_SIZE + 10];
	struct fake_line f;
	struct uart u;
	unsigned i;

	(void)state;
	fake_line_init(&f);
	uart_init(&u, &fm.m, 4, &f.line);
	assert_int_equal(uart_receive(&u, big, 10), 10);
	io8(uart_io, &u, 0);
	assert_int_equal(f.rooms, 0); /* it never refused anything */
	assert_int_equal(uart_receive(&u, big, sizeof(big)), UART_RX_SIZE - 9);
	for (i = 0; i < UART_RX_SIZE / 2 - 1; i++)
		io8(uart_io, &u, 0);
	assert_int_equal(f.rooms, 0);
	io8(uart_io, &u, 0); /* now half empty */
	assert_int_equal(f.rooms, 1);
	io8(uart_io, &u, 0);
	assert_int_equal(f.rooms, 1); /* once per refusal */
	assert_int_equal(uart_receive(&u, big, sizeof(big)), UART_RX_SIZE / 2 + 1);
	uart_reset(&u); /* a guest reset empties it too */
	assert_int_equal(f.rooms, 2);
}

static void uart_registers(void **state)
{
	struct uart u;

	(void)state;
	uart_init(&u, &fm.m, 4, NULL);
	out8(uart_io, &u, 3, 0x80); /* DLAB */
	out8(uart_io, &u, 0, 0x01);
	out8(uart_io, &u, 1, 0x00);
	assert_int_equal(io8(uart_io, &u, 0), 0x01);
	out8(uart_io, &u, 3, 0x03);
	out8(uart_io, &u, 1, 0xff);
	assert_int_equal(io8(uart_io, &u, 1), 0x0f); /* only 4 IER bits exist */
	out8(uart_io, &u, 7, 0x5a);
	assert_int_equal(io8(uart_io, &u, 7), 0x5a);
	assert_int_equal(io8(uart_io, &u, 6), 0xb0);
	out8(uart_io, &u, 4, 0x1a); /* loopback with RTS and OUT2 */
	assert_int_equal(io8(uart_io, &u, 6), 0x90);
	out8(uart_io, &u, 0, 'z'); /* loops back into the receiver */
	assert_int_equal(io8(uart_io, &u, 0), 'z');
}

static void pm_powers_off(void **state)
{
	struct acpi_pm pm;
	uint8_t v[2];

	(void)state;
	acpi_pm_init(&pm, &fm.m, 9);
	assert_int_equal(io8(acpi_pm_io, &pm, 4) & 1, 1); /* SCI_EN: always in ACPI mode */
	v[0] = 0x00;
	v[1] = (uint8_t)((3 << 2) | (1 << 5)); /* SLP_TYP 3 (not S5) with SLP_EN */
	acpi_pm_io(&pm, 4, v, 2, true);
	assert_int_equal(fm.requests[MACHINE_POWEROFF], 0);
	v[1] = (uint8_t)((5 << 2) | (1 << 5)); /* S5 */
	acpi_pm_io(&pm, 4, v, 2, true);
	assert_int_equal(fm.requests[MACHINE_POWEROFF], 1);
	acpi_pm_io(&pm, 4, v, 2, false);
	assert_int_equal(v[1] & (1 << 5), 0); /* SLP_EN reads back as 0 */
}

static void pm_power_button(void **state)
{
	struct acpi_pm pm;
	uint8_t v[4];

	(void)state;
	acpi_pm_init(&pm, &fm.m, 9);
	acpi_pm_power_button(&pm);
	assert_int_equal(fm.level[9], 0); /* not enabled: status only */
	assert_int_equal(io8(acpi_pm_io, &pm, 1), 0x01);
	out8(acpi_pm_io, &pm, 3, 0x01); /* PWRBTN_EN */
	assert_int_equal(fm.level[9], 1);
	acpi_pm_io(&pm, 0, v, 4, false); /* a 32-bit read covers STS and EN */
	assert_int_equal(v[1], 0x01);
	assert_int_equal(v[3], 0x01);
	out8(acpi_pm_io, &pm, 1, 0x01); /* write 1 to clear */
	assert_int_equal(fm.level[9], 0);
	assert_int_equal(io8(acpi_pm_io, &pm, 1), 0);
	assert_int_equal(io8(acpi_pm_io, &pm, 7), 0xff); /* past the block */
}

static void reset_and_panic_ports(void **state)
{
	struct i8042 k;

	(void)state;
	i8042_init(&k, &fm.m, false); /* the reset line alone: no keyboard */
	out8(i8042_io, &k, 4, 0xaa);  /* self-test command: ignored */
	assert_int_equal(fm.requests[MACHINE_RESET], 0);
	out8(i8042_io, &k, 4, 0xfe);
	assert_int_equal(fm.requests[MACHINE_RESET], 1);
	assert_int_equal(io8(i8042_io, &k, 4), 0);
	assert_int_equal(io8(pvpanic_io, &fm.m, 0), 1);
	out8(pvpanic_io, &fm.m, 0, 2); /* "crash loaded": not a panic */
	assert_int_equal(fm.requests[MACHINE_PANIC], 0);
	out8(pvpanic_io, &fm.m, 0, 1);
	assert_int_equal(fm.requests[MACHINE_PANIC], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(uart_transmits_and_interrupts, reset_machine),
		cmocka_unit_test_setup(uart_receives, reset_machine),
		cmocka_unit_test_setup(uart_tells_of_room, reset_machine),
		cmocka_unit_test_setup(uart_registers, reset_machine),
		cmocka_unit_test_setup(pm_powers_off, reset_machine),
		cmocka_unit_test_setup(pm_power_button, reset_machine),
		cmocka_unit_test_setup(reset_and_panic_ports, reset_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/vmm/bus.c. */
#include "testlib.h"

#include "vmm/bus.h"

static uint64_t last_offset;
static int calls;

static void handler(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)len;
	last_offset = offset;
	calls++;
	if (!is_write)
		data[0] = 0x42;
}

static void dispatch(void **state)
{
	struct berth_error err;
	struct bus bus;
	uint8_t d[4] = { 0 };

	(void)state;
	bus_init(&bus, "port");
	assert_int_equal(bus_register(&bus, 0x3f8, 8, handler, NULL, &err), 0);
	assert_int_equal(bus_register(&bus, 0x60, 5, handler, NULL, &err), 0);
	assert_int_equal(bus_register(&bus, 0x600, 6, handler, NULL, &err), 0);
	calls = 0;
	assert_true(bus_dispatch(&bus, 0x3fd, d, 1, false));
	assert_int_equal(last_offset, 5);
	assert_int_equal(d[0], 0x42);
	assert_true(bus_dispatch(&bus, 0x64, d, 1, true));
	assert_int_equal(last_offset, 4);
	assert_false(bus_dispatch(&bus, 0x400, d, 4, false));
	assert_int_equal(d[0], 0xff); /* floating bus */
	assert_int_equal(d[3], 0xff);
	assert_false(bus_dispatch(&bus, 0x400, d, 4, false)); /* logged once only */
	assert_false(bus_dispatch(&bus, 0x3f7, d, 1, true));
	assert_false(bus_dispatch(&bus, 0x606, d, 1, true));
	assert_int_equal(calls, 2);
}

static void refuses_overlaps(void **state)
{
	struct berth_error err;
	struct bus bus;

	(void)state;
	bus_init(&bus, "mmio");
	assert_int_equal(bus_register(&bus, 0x1000, 0x100, handler, NULL, &err), 0);
	assert_int_equal(bus_register(&bus, 0x10ff, 1, handler, NULL, &err), -1);
	assert_contains(err.msg, "overlaps");
	assert_int_equal(bus_register(&bus, 0xfff, 2, handler, NULL, &err), -1);
	assert_int_equal(bus_register(&bus, 0x0, 0, handler, NULL, &err), -1);
	assert_int_equal(bus_register(&bus, UINT64_MAX, 2, handler, NULL, &err), -1);
	assert_int_equal(bus_register(&bus, 0x1100, 1, handler, NULL, &err), 0);
}

/* Past the log's limit, further unclaimed accesses are neither logged nor looked up
 * beyond the end of the log (UBSan's bounds check watches). */
static void log_limit(void **state)
{
	struct bus bus;
	uint8_t d[4];
	unsigned i;

	(void)state;
	bus_init(&bus, "mmio");
	for (i = 0; i < BUS_MAX_LOGGED + 8; i++)
		assert_false(bus_dispatch(&bus, 0x1000 + i, d, 1, false));
	assert_int_equal(bus.nlogged, BUS_MAX_LOGGED + 1);
	assert_false(bus_dispatch(&bus, 0x1000, d, 1, false));
	assert_int_equal(bus.nlogged, BUS_MAX_LOGGED + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dispatch),
		cmocka_unit_test(refuses_overlaps),
		cmocka_unit_test(log_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/daemon/images/disk_size.c: the size rules of servers' disks. */
#include "testlib.h"

#include <errno.h>
#include <stdint.h>

#include "daemon/images/disk_size.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static void ct_minimum_holds_the_tree(void **state)
{
	(void)state;
	assert_int_equal(ct_disk_min(0), 32 * MIB);
	assert_int_equal(ct_disk_min(8 * MIB), 41 * MIB);
	/* rounded up to whole MiB */
	assert_int_equal(ct_disk_min(1), 33 * MIB);
	assert_int_equal(ct_disk_min(GIB), GIB + 128 * MIB + 32 * MIB);
	/* never wraps around */
	assert_true(ct_disk_min(UINT64_MAX) > (1ULL << 60));
}

static void ct_disk_sizes(void **state)
{
	struct berth_error err = { 0 };
	uint64_t size = 0;

	(void)state;
	/* nothing asked: the minimum plus headroom */
	assert_int_equal(disk_size(KIND_CT, 0, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, 41 * MIB + CT_DISK_HEADROOM);
	/* asked: as asked, when it holds the tree */
	assert_int_equal(disk_size(KIND_CT, 64 * MIB, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, 64 * MIB);
	assert_int_equal(disk_size(KIND_CT, 41 * MIB, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, 41 * MIB);
	/* too small: refused, saying what it needs */
	size = 7;
	assert_int_equal(disk_size(KIND_CT, 41 * MIB - 1, 8 * MIB, &size, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_contains(err.msg, "the image's tree takes 8 MiB");
	assert_contains(err.msg, "at least 41 MiB");
	assert_int_equal(size, 7);
}

static void vm_disk_sizes(void **state)
{
	struct berth_error err = { 0 };
	uint64_t size = 0;

	(void)state;
	assert_int_equal(disk_size(KIND_VM, 0, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, 8 * MIB);
	assert_int_equal(disk_size(KIND_VM, 2 * MIB, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, 8 * MIB);
	assert_int_equal(disk_size(KIND_VM, GIB, 8 * MIB, &size, &err), 0);
	assert_int_equal(size, GIB);
	assert_int_equal(disk_size(KIND_VM, 0, 0, &size, &err), 0);
	assert_int_equal(size, 0);
}

static void huge_sizes_refused(void **state)
{
	struct berth_error err = { 0 };
	uint64_t size = 0;

	(void)state;
	assert_int_equal(disk_size(KIND_CT, UINT64_MAX, 0, &size, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_contains(err.msg, "disk too large");
	assert_int_equal(disk_size(KIND_VM, 0, UINT64_MAX, &size, &err), -1);
	assert_int_equal(disk_size(KIND_CT, (1ULL << 60), (1ULL << 60), &size, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ct_minimum_holds_the_tree),
		cmocka_unit_test(ct_disk_sizes),
		cmocka_unit_test(vm_disk_sizes),
		cmocka_unit_test(huge_sizes_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

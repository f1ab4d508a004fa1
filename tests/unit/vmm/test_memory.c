/* Unit tests for src/vmm/memory.c: the bounds-checked accessor refuses anything outside RAM. */
#include "testlib.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/memory.h"

static void low_only(void **state)
{
	struct guest_mem gm;
	static uint8_t ram[1 << 16];

	(void)state;
	gm_init_from(&gm, ram, sizeof(ram));
	assert_int_equal(gm.nregions, 1);
	assert_ptr_equal(gm_ptr(&gm, 0, sizeof(ram)), ram);
	assert_ptr_equal(gm_ptr(&gm, 100, 10), ram + 100);
	assert_null(gm_ptr(&gm, 0, sizeof(ram) + 1));
	assert_null(gm_ptr(&gm, sizeof(ram), 1));
	assert_non_null(gm_ptr(&gm, sizeof(ram), 0));
	assert_null(gm_ptr(&gm, sizeof(ram) - 4, 8));
	/* Sums that would wrap around 2^64 must not pass. */
	assert_null(gm_ptr(&gm, UINT64_MAX, 2));
	assert_null(gm_ptr(&gm, 16, UINT64_MAX));
	assert_null(gm_ptr(&gm, UINT64_MAX - 1, UINT64_MAX));
}

static void split_around_the_hole(void **state)
{
	struct guest_mem gm;
	uint64_t size = GM_HOLE_START + (1ULL << 30);
	uint8_t v = 0xab, r = 0;

	(void)state;
	/* The host address is never dereferenced here except through gm_write/gm_read below. */
	assert_int_equal(gm_init(&gm, size, &(struct berth_error){ 0 }), 0);
	assert_int_equal(gm.nregions, 2);
	assert_int_equal(gm_low_size(&gm), GM_HOLE_START);
	assert_int_equal(gm.regions[1].gpa, GM_HIGH_START);
	assert_int_equal(gm.regions[1].size, 1ULL << 30);
	assert_null(gm_ptr(&gm, GM_HOLE_START, 1));	/* the device hole */
	assert_null(gm_ptr(&gm, GM_HOLE_START - 1, 2)); /* straddles into the hole */
	assert_null(gm_ptr(&gm, GM_HIGH_START - 1, 2)); /* straddles out of it */
	assert_null(gm_ptr(&gm, GM_HIGH_START + (1ULL << 30), 1));
	assert_int_equal(gm_write(&gm, GM_HIGH_START + 5, &v, 1), 0);
	assert_int_equal(gm_read(&gm, GM_HIGH_START + 5, &r, 1), 0);
	assert_int_equal(r, 0xab);
	assert_ptr_equal(gm_ptr(&gm, GM_HIGH_START, 1), gm.host + GM_HOLE_START);
	assert_int_equal(gm_write(&gm, GM_HOLE_START, &v, 1), -1);
	gm_destroy(&gm);
}

/* Guest RAM starts on a 2 MiB boundary (so that KVM can map it with huge nested pages), whatever
 * address the kernel picks, and the extra mapped to align it is given back. */
static void ram_is_2mib_aligned(void **state)
{
	for (int i = 0; i < 4; i++) {
		struct guest_mem gm;
		uint64_t size = (32ULL << 20) + (uint64_t)i * 4096 * 3;
		void *gap = mmap(NULL, (size_t)(i + 1) * 4096, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* moves the next mapping */

		(void)state;
		assert_true(gap != MAP_FAILED);
		assert_int_equal(gm_init(&gm, size, &(struct berth_error){ 0 }), 0);
		assert_int_equal((uintptr_t)gm.host % (2u << 20), 0);
		gm.host[size - 1] = 1; /* all of it usable */
		/* Nothing past the end stays mapped: mincore fails on unmapped memory. */
		unsigned char v;
		assert_int_equal(mincore(gm.host + ((size + 4095) & ~4095ULL), 4096, &v), -1);
		gm_destroy(&gm);
		munmap(gap, (size_t)(i + 1) * 4096);
	}
}

/* Pages of [p, p+len) resident in host memory. */
static size_t resident(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = len / page, count = 0;
	unsigned char *vec = malloc(n);

	assert_non_null(vec);
	assert_int_equal(mincore(p, len, vec), 0);
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

static void prealloc_makes_ram_resident_and_clear_keeps_it(void **state)
{
	struct guest_mem gm;
	uint64_t size = 64ULL << 20;
	size_t pages = size / (size_t)sysconf(_SC_PAGESIZE);
	uint8_t v = 0x5a, r = 1;

	(void)state;
	assert_int_equal(gm_init(&gm, size, &(struct berth_error){ 0 }), 0);
	assert_true(resident(gm.host, size) < pages / 2); /* lazily backed */
	assert_int_equal(gm_prealloc(&gm, &(struct berth_error){ 0 }), 0);
	assert_int_equal(resident(gm.host, size), pages);
	assert_int_equal(gm_write(&gm, 4096, &v, 1), 0);
	gm_clear(&gm); /* a guest reset: zeroes, still resident */
	assert_int_equal(gm_read(&gm, 4096, &r, 1), 0);
	assert_int_equal(r, 0);
	assert_int_equal(resident(gm.host, size), pages);
	gm_destroy(&gm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(low_only),
		cmocka_unit_test(split_around_the_hole),
		cmocka_unit_test(ram_is_2mib_aligned),
		cmocka_unit_test(prealloc_makes_ram_resident_and_clear_keeps_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

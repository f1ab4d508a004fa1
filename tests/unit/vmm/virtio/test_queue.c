/* Unit tests for src/vmm/virtio/queue.c: well-formed chains come out as iovecs into guest RAM,
 * the used ring and notification fields follow the spec, and every hostile ring is refused
 * by marking the queue broken, never by a crash (these run under ASan and UBSan). */
#include "testlib.h"

#include <endian.h>
#include <pthread.h>

#include "vmm/virtio/queue.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The fake guest: 1 MiB of RAM holding one queue of QSIZE entries and its buffers. */
#define RAM_SIZE (1u << 20)
#define QSIZE	 16
#define DESC	 0x1000
#define AVAIL	 0x2000
#define USED	 0x3000
#define TABLE	 0x8000 /* an indirect table */
#define BUF	 0x10000

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem gm;
static struct virtq q;
static struct virtq_chain chain;

static const uint64_t indirect_feature = 1ULL << VIRTQ_F_INDIRECT_DESC;
static const uint64_t event_idx_feature = 1ULL << VIRTQ_F_EVENT_IDX;

/* As a driver would: write descriptor i of the table at gpa. */
static void put_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	struct virtq_desc d = { htole64(addr), htole32(len), htole16(flags), htole16(next) };

	memcpy(ram + table + 16 * i, &d, sizeof(d));
}

static struct virtq_avail *avail(void)
{
	return (struct virtq_avail *)(ram + AVAIL);
}

static struct virtq_used *used(void)
{
	return (struct virtq_used *)(ram + USED);
}

/* As a driver would: make the chain at head available. */
static void offer(uint16_t head)
{
	uint16_t idx = le16toh(avail()->idx);

	avail()->ring[idx % q.size] = htole16(head);
	avail()->idx = htole16(idx + 1);
}

static void open_queue(uint16_t size, uint64_t features)
{
	struct berth_error err;

	assert_int_equal(virtq_init(&q, &gm, size, DESC, AVAIL, USED, features, &err), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	gm_init_from(&gm, ram, RAM_SIZE);
	open_queue(QSIZE, indirect_feature);
	return 0;
}

/* The next pop breaks the queue for a reason containing why, and the queue stays broken. */
static void expect_broken(const char *why)
{
	assert_int_equal(virtq_pop(&q, &chain), -1);
	assert_non_null(q.broken);
	assert_contains(q.broken, why);
	assert_int_equal(virtq_pop(&q, &chain), -1);
	assert_int_equal(virtq_push(&q, &chain, 0), -1);
}

static void expect_segment(unsigned i, uint64_t gpa, size_t len)
{
	assert_ptr_equal(chain.iov[i].iov_base, ram + gpa);
	assert_int_equal(chain.iov[i].iov_len, len);
}

/* The next pop gives the chain at head with these segment counts and byte totals. */
static void expect_chain(uint16_t head, unsigned nout, unsigned nin, uint64_t out_len,
			 uint64_t in_len)
{
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.head, head);
	assert_int_equal(chain.nout, nout);
	assert_int_equal(chain.nin, nin);
	assert_int_equal(chain.out_len, out_len);
	assert_int_equal(chain.in_len, in_len);
}

static void one_descriptor(void **state)
{
	(void)state;
	put_desc(DESC, 3, BUF, 100, 0, 0);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	offer(3);
	expect_chain(3, 1, 0, 100, 0);
	expect_segment(0, BUF, 100);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	assert_null(q.broken);
}

static void out_and_in_chain(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	put_desc(DESC, 5, BUF + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(DESC, 2, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	expect_chain(0, 1, 2, 16, 513);
	expect_segment(0, BUF, 16);
	expect_segment(1, BUF + 0x1000, 512);
	expect_segment(2, BUF + 0x2000, 1);
}

static void indirect_chain(void **state)
{
	(void)state;
	/* The WRITE flag on the descriptor naming the table is to be ignored. */
	put_desc(DESC, 1, TABLE, 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	put_desc(TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	put_desc(TABLE, 2, BUF + 0x100, 64, VIRTQ_DESC_F_NEXT, 1);
	put_desc(TABLE, 1, BUF + 0x200, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(1);
	expect_chain(1, 2, 1, 80, 1);
	expect_segment(1, BUF + 0x100, 64);
	expect_segment(2, BUF + 0x200, 1);
}

/* The spec has devices accept direct descriptors followed by one indirect one. */
static void direct_then_indirect(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	put_desc(TABLE, 0, BUF + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	expect_chain(0, 1, 1, 16, 8);
	expect_segment(1, BUF + 0x100, 8);
}

/* Zero-length descriptors are skipped without looking at their address. */
static void zero_length(void **state)
{
	(void)state;
	put_desc(DESC, 0, UINT64_MAX, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc(DESC, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 2);
	put_desc(DESC, 2, RAM_SIZE * 8, 0, 0, 0);
	put_desc(DESC, 3, BUF, 0, 0, 0);
	offer(0);
	offer(3);
	expect_chain(0, 1, 0, 4, 0);
	expect_segment(0, BUF, 4);
	/* A chain of no bytes at all comes out empty; the device decides what it means. */
	expect_chain(3, 0, 0, 0, 0);
	assert_int_equal(virtq_push(&q, &chain, 0), 0);
}

static void push_fills_used_ring(void **state)
{
	struct virtq_chain copy;

	(void)state;
	put_desc(DESC, 7, BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(7);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_push(&q, &chain, 65), -1); /* more than it can hold */
	assert_int_equal(virtq_push(&q, &chain, 40), 0);
	assert_int_equal(le16toh(used()->idx), 1);
	assert_int_equal(le32toh(used()->ring[0].id), 7);
	assert_int_equal(le32toh(used()->ring[0].len), 40);
	/* Nothing more is in flight: a second push of the same chain is a device bug. */
	assert_int_equal(virtq_push(&q, &chain, 0), -1);
	offer(7);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	copy = chain;
	copy.head = QSIZE;
	assert_int_equal(virtq_push(&q, &copy, 0), -1);
	assert_int_equal(le16toh(used()->idx), 1);
}

/* Pop and push one chain through a queue of 4 until both 16-bit indices have wrapped. */
static void indices_wrap(void **state)
{
	unsigned i;

	(void)state;
	open_queue(4, 0);
	for (i = 0; i < 4; i++)
		put_desc(DESC, i, BUF + i, i + 1, VIRTQ_DESC_F_WRITE, 0);
	for (i = 0; i < 70000; i++) {
		offer(i % 4);
		assert_int_equal(virtq_pop(&q, &chain), 1);
		assert_int_equal(chain.head, i % 4);
		assert_int_equal(virtq_push(&q, &chain, i % 4), 0);
		assert_int_equal(le32toh(used()->ring[i % 4].id), i % 4);
	}
	assert_int_equal(le16toh(used()->idx), 70000 % 65536);
	assert_int_equal(q.last_avail, 70000 % 65536);
	assert_null(q.broken);
}

static void notify_without_event_idx(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_push(&q, &chain, 8), 0);
	assert_true(virtq_needs_notify(&q));
	avail()->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_needs_notify(&q));
	virtq_disable_notify(&q);
	assert_int_equal(le16toh(used()->flags), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_enable_notify(&q));
	assert_int_equal(le16toh(used()->flags), 0);
	virtq_disable_notify(&q);
	offer(0);
	assert_true(virtq_enable_notify(&q)); /* arrived while notifications were off */
}

static uint16_t *used_event(void)
{
	return &avail()->ring[QSIZE];
}

static uint16_t avail_event(void)
{
	return le16toh(*(uint16_t *)&used()->ring[QSIZE]);
}

static void pop_push(unsigned n)
{
	while (n--) {
		offer(0);
		assert_int_equal(virtq_pop(&q, &chain), 1);
		assert_int_equal(virtq_push(&q, &chain, 0), 0);
	}
}

static void notify_with_event_idx(void **state)
{
	(void)state;
	open_queue(QSIZE, event_idx_feature);
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	/* The flag is ignored with event idx; used_event 0 asks for the first push. */
	avail()->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	pop_push(1);
	assert_int_equal(avail_event(), 1);
	assert_true(virtq_needs_notify(&q));
	assert_false(virtq_needs_notify(&q)); /* nothing new since */
	*used_event() = htole16(4);	      /* interrupt me once used->idx passes 4 */
	pop_push(3);
	assert_false(virtq_needs_notify(&q));
	pop_push(1);
	assert_true(virtq_needs_notify(&q));
	/* Disabled, pops stop moving avail_event; enabling moves it to the next slot. */
	virtq_disable_notify(&q);
	pop_push(2);
	assert_int_equal(avail_event(), 5);
	assert_int_equal(le16toh(used()->flags), 0);
	assert_false(virtq_enable_notify(&q));
	assert_int_equal(avail_event(), 7);
}

static void event_idx_wraps(void **state)
{
	(void)state;
	open_queue(QSIZE, event_idx_feature);
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	pop_push(65530);
	assert_true(virtq_needs_notify(&q));
	*used_event() = htole16(2); /* past the wrap: interrupt once entry 2 is used */
	pop_push(8);
	assert_false(virtq_needs_notify(&q));
	pop_push(1);
	assert_true(virtq_needs_notify(&q));
}

/* A hostile chain at head 0 (or head), in the queue table and an indirect table at TABLE. */
struct hostile {
	const char *name;
	uint64_t features;
	uint16_t head;
	struct virtq_desc desc[2], table[2];
	const char *why;
};

#define NEXT  VIRTQ_DESC_F_NEXT
#define WRITE VIRTQ_DESC_F_WRITE
#define INDIR VIRTQ_DESC_F_INDIRECT

/* One case a line reads better than one field a line. */
/* clang-format off */
static struct hostile hostile_cases[] = {
	{ "self loop", 0, 0, { { BUF, 8, NEXT, 0 } }, {}, "loop" },
	{ "two-descriptor loop", 0, 0, { { BUF, 8, NEXT, 1 }, { BUF, 8, NEXT, 0 } }, {}, "loop" },
	{ "zero-length loop", 0, 0, { { BUF, 0, NEXT, 1 }, { BUF, 0, NEXT, 0 } }, {}, "loop" },
	{ "next out of range", 0, 0, { { BUF, 8, NEXT, QSIZE } }, {}, "next index out of range" },
	{ "next far out of range", 0, 0, { { BUF, 8, NEXT, 0xffff } }, {}, "next index" },
	{ "head out of range", 0, QSIZE, {}, {}, "head index out of range" },
	{ "head far out of range", 0, 0xffff, {}, {}, "head index out of range" },
	{ "buffer past end of RAM", 0, 0, { { RAM_SIZE - 4, 8, 0, 0 } }, {}, "not in guest RAM" },
	{ "buffer beyond RAM", 0, 0, { { RAM_SIZE, 1, WRITE, 0 } }, {}, "not in guest RAM" },
	{ "length near 2^32", 0, 0, { { BUF, 0xffffffff, 0, 0 } }, {}, "not in guest RAM" },
	{ "address near 2^64", 0, 0, { { UINT64_MAX - 3, 8, 0, 0 } }, {}, "not in guest RAM" },
	{ "readable after writable", 0, 0, { { BUF, 8, WRITE | NEXT, 1 }, { BUF, 8, 0, 0 } }, {},
	  "device-readable buffer after a device-writable" },
	{ "indirect not negotiated", 0, 0, { { TABLE, 16, INDIR, 0 } }, { { BUF, 8, 0, 0 } },
	  "without VIRTIO_F_INDIRECT_DESC" },
	{ "indirect with next", indirect_feature, 0,
	  { { TABLE, 16, INDIR | NEXT, 1 }, { BUF, 8, 0, 0 } }, { { BUF, 8, 0, 0 } }, "NEXT set" },
	{ "indirect inside indirect", indirect_feature, 0, { { TABLE, 16, INDIR, 0 } },
	  { { TABLE, 16, INDIR, 0 } }, "inside an indirect table" },
	{ "empty indirect table", indirect_feature, 0, { { TABLE, 0, INDIR, 0 } }, {},
	  "indirect table length" },
	{ "indirect table of 24 bytes", indirect_feature, 0, { { TABLE, 24, INDIR, 0 } }, {},
	  "indirect table length" },
	{ "indirect table of 32769 entries", indirect_feature, 0,
	  { { TABLE, 16 * 32769, INDIR, 0 } }, {}, "indirect table length" },
	{ "indirect table near 2^32", indirect_feature, 0, { { TABLE, 0xfffffff0, INDIR, 0 } }, {},
	  "indirect table length" },
	{ "indirect table past end of RAM", indirect_feature, 0,
	  { { RAM_SIZE - 16, 32, INDIR, 0 } }, {}, "indirect table not in guest RAM" },
	{ "indirect loop", indirect_feature, 0, { { TABLE, 32, INDIR, 0 } },
	  { { BUF, 8, NEXT, 1 }, { BUF, 8, NEXT, 0 } }, "loop" },
	{ "indirect next out of range", indirect_feature, 0, { { TABLE, 32, INDIR, 0 } },
	  { { BUF, 8, NEXT, 2 } }, "next index out of range" },
	{ "indirect buffer past end of RAM", indirect_feature, 0, { { TABLE, 16, INDIR, 0 } },
	  { { RAM_SIZE - 1, 2, WRITE, 0 } }, "buffer not in guest RAM" },
};
/* clang-format on */

static void refuses_hostile_chain(void **state)
{
	const struct hostile *h = *state;
	unsigned i;

	open_queue(QSIZE, h->features);
	for (i = 0; i < 2; i++) {
		put_desc(DESC, i, h->desc[i].addr, h->desc[i].len, h->desc[i].flags,
			 h->desc[i].next);
		put_desc(TABLE, i, h->table[i].addr, h->table[i].len, h->table[i].flags,
			 h->table[i].next);
	}
	offer(h->head);
	expect_broken(h->why);
}

/* A two-region guest (RAM, the 32-bit device hole, RAM) built by hand from the fake RAM. */
static void split_guest(struct guest_mem *split)
{
	*split = (struct guest_mem){ .host = ram, .size = RAM_SIZE, .nregions = 2 };
	split->regions[0] = (struct gm_region){ GM_HOLE_START - RAM_SIZE / 2, RAM_SIZE / 2, ram };
	split->regions[1] = (struct gm_region){ GM_HIGH_START, RAM_SIZE / 2, ram + RAM_SIZE / 2 };
}

static void buffer_in_the_hole(void **state)
{
	struct guest_mem split;
	struct berth_error err;
	uint64_t low = GM_HOLE_START - RAM_SIZE / 2;

	(void)state;
	split_guest(&split);
	assert_int_equal(
	    virtq_init(&q, &split, QSIZE, low + DESC, low + AVAIL, low + USED, 0, &err), 0);
	put_desc(DESC, 0, GM_HIGH_START, 8, VIRTQ_DESC_F_NEXT, 1); /* fine: high RAM */
	put_desc(DESC, 1, GM_HOLE_START - 8, 16, 0, 0);		   /* runs into the hole */
	offer(0);
	expect_broken("buffer not in guest RAM");
	assert_int_equal(
	    virtq_init(&q, &split, QSIZE, low + DESC, low + AVAIL, low + USED, 0, &err), 0);
	put_desc(DESC, 1, GM_HOLE_START + 0x1000, 1, 0, 0); /* inside it */
	offer(0);
	expect_broken("buffer not in guest RAM");
}

/* A chain may reach 2^32 bytes but not pass it; that takes a guest of 3 GiB (not touched). */
static void chain_over_4_gib(void **state)
{
	struct guest_mem big;
	struct berth_error err;
	struct virtq_avail *a;

	(void)state;
	assert_int_equal(gm_init(&big, 3ULL << 30, &err), 0);
	assert_int_equal(virtq_init(&q, &big, 2, DESC, AVAIL, USED, 0, &err), 0);
	a = (struct virtq_avail *)(big.host + AVAIL);
	memcpy(big.host + DESC,
	       &(struct virtq_desc[]){ { 0, 0xc0000000u, NEXT, 1 }, { 0, 0x40000000u, WRITE, 0 } },
	       32);
	a->idx = htole16(1);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.out_len + chain.in_len, 1ULL << 32);
	assert_int_equal(virtq_push(&q, &chain, 0), 0);
	memcpy(big.host + DESC + 16, &(struct virtq_desc){ 0, 0x40000001u, WRITE, 0 }, 16);
	a->idx = htole16(2);
	expect_broken("longer than 2^32 bytes");
	gm_destroy(&big);
}

/* An indirect table of n one-byte buffers. */
static void indirect_of(unsigned n)
{
	unsigned i;

	put_desc(DESC, 0, TABLE, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
	for (i = 0; i < n; i++)
		put_desc(TABLE, i, BUF + i, 1, VIRTQ_DESC_F_NEXT, i + 1);
	put_desc(TABLE, n - 1, BUF, 1, 0, 0);
	offer(0);
}

static void segment_limit(void **state)
{
	(void)state;
	indirect_of(VIRTQ_MAX_SEGS);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.nout, VIRTQ_MAX_SEGS);
	assert_int_equal(chain.out_len, VIRTQ_MAX_SEGS);
	indirect_of(VIRTQ_MAX_SEGS + 1);
	expect_broken("more than VIRTQ_MAX_SEGS");
}

static void avail_index_far_ahead(void **state)
{
	unsigned i;

	(void)state;
	put_desc(DESC, 0, BUF, 8, 0, 0);
	avail()->idx = htole16(QSIZE); /* a full ring is fine */
	for (i = 0; i < QSIZE; i++)
		assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	avail()->idx = htole16(2 * QSIZE + 1);
	expect_broken("available index more than the queue size ahead");
}

static void avail_index_backwards(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	avail()->idx = htole16(0); /* 65535 ahead of us */
	expect_broken("available index");
}

/* A head offered again while still in flight: more chains than descriptors. */
static void too_many_in_flight(void **state)
{
	unsigned i;

	(void)state;
	put_desc(DESC, 0, BUF, 8, 0, 0);
	for (i = 0; i < QSIZE; i++) {
		offer(0);
		assert_int_equal(virtq_pop(&q, &chain), 1);
	}
	offer(0);
	expect_broken("more chains in flight");
}

/* A guest vCPU rewriting descriptors 0 and 1 field by field, good and hostile values mixed,
 * until told to stop. */
static void *rewrite_descriptors(void *stop)
{
	static const uint64_t addrs[] = { BUF, RAM_SIZE - 4, UINT64_MAX - 3 };
	static const uint32_t lens[] = { 8, 0xffffffff, 0x100000 };
	static const uint16_t flags[] = { VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE, 0 };
	volatile struct virtq_desc *d = (struct virtq_desc *)(ram + DESC);
	unsigned n;

	for (n = 0; !__atomic_load_n((bool *)stop, __ATOMIC_RELAXED); n++) {
		d[n % 2].addr = htole64(addrs[n % 3]);
		d[n % 2].len = htole32(lens[n / 3 % 3]);
		d[n % 2].flags = htole16(flags[n / 9 % 3]);
		d[n % 2].next = htole16(n / 27 % 2);
	}
	return NULL;
}

static void expect_in_ram(void)
{
	unsigned i;

	for (i = 0; i < chain.nout + chain.nin; i++) {
		const uint8_t *p = chain.iov[i].iov_base;

		assert_true(p >= ram && chain.iov[i].iov_len <= RAM_SIZE);
		assert_true((size_t)(p - ram) <= RAM_SIZE - chain.iov[i].iov_len);
	}
}

/* Whatever the guest changes while we walk, no buffer outside RAM comes out: each
 * descriptor is checked as copied. A broken queue is set up afresh, as after a reset. */
static void guest_rewrites_descriptors_meanwhile(void **state)
{
	bool stop = false;
	pthread_t guest;
	unsigned i, popped = 0;

	(void)state;
	assert_int_equal(pthread_create(&guest, NULL, rewrite_descriptors, &stop), 0);
	for (i = 0; i < 1000000; i++) {
		offer(0);
		if (virtq_pop(&q, &chain) == 1) {
			expect_in_ram();
			assert_int_equal(virtq_push(&q, &chain, 0), 0);
			popped++;
			continue;
		}
		memset(ram + AVAIL, 0, 0x2000);
		open_queue(QSIZE, 0);
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	pthread_join(guest, NULL);
	print_message("%u of %u chains were well-formed\n", popped, i);
}

static void broken_stays_broken(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	expect_broken("loop");
	put_desc(DESC, 0, BUF, 8, 0, 0); /* the driver cannot take it back */
	expect_broken("loop");
}

static void expect_init_refused(uint16_t size, uint64_t desc, uint64_t avail_gpa, uint64_t used_gpa,
				const char *why)
{
	struct berth_error err = { 0 };

	assert_int_equal(virtq_init(&q, &gm, size, desc, avail_gpa, used_gpa, 0, &err), -1);
	assert_contains(err.msg, why);
	assert_int_equal(virtq_pop(&q, &chain), -1);
}

static void init_refuses_bad_rings(void **state)
{
	(void)state;
	expect_init_refused(0, DESC, AVAIL, USED, "size 0");
	expect_init_refused(3, DESC, AVAIL, USED, "size 3");
	expect_init_refused(48, DESC, AVAIL, USED, "power of two");
	expect_init_refused(QSIZE, DESC + 8, AVAIL, USED, "descriptor table at 0x1008 is not 16");
	expect_init_refused(QSIZE, DESC, AVAIL + 1, USED, "available ring at 0x2001 is not 2");
	expect_init_refused(QSIZE, DESC, AVAIL, USED + 2, "used ring at 0x3002 is not 4");
	expect_init_refused(QSIZE, RAM_SIZE - 16 * 8, AVAIL, USED, "not in guest RAM");
	expect_init_refused(QSIZE, DESC, RAM_SIZE - 6, USED, "available ring");
	expect_init_refused(QSIZE, DESC, AVAIL, RAM_SIZE, "used ring");
	expect_init_refused(QSIZE, DESC, AVAIL, UINT64_MAX - 3, "used ring");
	expect_init_refused(VIRTQ_MAX_SIZE, 0x81000, AVAIL, USED, "0x81000 (524288 bytes)");
	assert_int_equal(
	    virtq_init(&q, &gm, VIRTQ_MAX_SIZE, 0, 0x80000, 0x90000, 0, &(struct berth_error){ 0 }),
	    0);
}

static void init_refuses_ring_in_the_hole(void **state)
{
	struct guest_mem split;
	struct berth_error err = { 0 };
	uint64_t low = GM_HOLE_START - RAM_SIZE / 2;

	(void)state;
	split_guest(&split);
	assert_int_equal(
	    virtq_init(&q, &split, QSIZE, GM_HOLE_START - 0x80, low, GM_HIGH_START, 0, &err), -1);
	assert_contains(err.msg, "descriptor table at 0xbfffff80");
	assert_int_equal(virtq_init(&q, &split, QSIZE, low, GM_HOLE_START, GM_HIGH_START, 0, &err),
			 -1);
	assert_contains(err.msg, "available ring");
}

/* Atomic ring accesses need aligned host addresses, whatever the guest addresses are. */
static void init_refuses_misaligned_host_memory(void **state)
{
	struct guest_mem odd;
	struct berth_error err = { 0 };

	(void)state;
	gm_init_from(&odd, ram + 2, RAM_SIZE - 2);
	assert_int_equal(virtq_init(&q, &odd, QSIZE, DESC, AVAIL, USED, 0, &err), -1);
	assert_contains(err.msg, "descriptor table at 0x1000 is misaligned in host memory");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup(one_descriptor, setup),
		cmocka_unit_test_setup(out_and_in_chain, setup),
		cmocka_unit_test_setup(indirect_chain, setup),
		cmocka_unit_test_setup(direct_then_indirect, setup),
		cmocka_unit_test_setup(zero_length, setup),
		cmocka_unit_test_setup(push_fills_used_ring, setup),
		cmocka_unit_test_setup(indices_wrap, setup),
		cmocka_unit_test_setup(notify_without_event_idx, setup),
		cmocka_unit_test_setup(notify_with_event_idx, setup),
		cmocka_unit_test_setup(event_idx_wraps, setup),
		cmocka_unit_test_setup(buffer_in_the_hole, setup),
		cmocka_unit_test_setup(chain_over_4_gib, setup),
		cmocka_unit_test_setup(segment_limit, setup),
		cmocka_unit_test_setup(avail_index_far_ahead, setup),
		cmocka_unit_test_setup(avail_index_backwards, setup),
		cmocka_unit_test_setup(too_many_in_flight, setup),
		cmocka_unit_test_setup(guest_rewrites_descriptors_meanwhile, setup),
		cmocka_unit_test_setup(broken_stays_broken, setup),
		cmocka_unit_test_setup(init_refuses_bad_rings, setup),
		cmocka_unit_test_setup(init_refuses_ring_in_the_hole, setup),
		cmocka_unit_test_setup(init_refuses_misaligned_host_memory, setup),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(hostile_cases)];
	unsigned i;

	/* Each hostile case is a test of its own, named for what the driver did. */
	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < ARRAY_SIZE(hostile_cases); i++)
		tests[ARRAY_SIZE(fixed) + i] =
		    (struct CMUnitTest){ hostile_cases[i].name, refuses_hostile_chain, setup, NULL,
					 &hostile_cases[i] };
	return cmocka_run_group_tests(tests, NULL, NULL);
}

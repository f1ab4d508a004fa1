/* fuzz_virtq.c - libFuzzer target: a hostile driver's rings through the split virtqueue.
 *
 * The input is a small guest: its first bytes choose the queue size, the features and where
 * the 16-bit indices start; the rest becomes guest RAM from address 0, where the descriptor
 * table, available ring and used ring lie back to back. The device pops and pushes until
 * the queue is empty or broken. Every buffer handed out must lie inside the fake RAM.
 *
 * With the top bit of the first byte set, the driver goes for the most work it can make: every
 * ring slot is available, and every indirect descriptor names one table of VIRTQ_MAX_SIZE
 * entries (past the RAM image) chained end to end, mostly empty, the rest patterned on the
 * input's descriptors. No virtq_pop() may read more than the queue size plus one full table
 * of descriptors (the bound the devices' budgets rest on). */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/queue.h"

#define FUZZ_RAM      (64u << 10)
#define FUZZ_TABLE    (16u * VIRTQ_MAX_SIZE) /* the huge indirect table, after FUZZ_RAM */
#define FUZZ_HEAD     4			     /* parameter bytes before the RAM image */
#define FUZZ_LOOPS    1024		     /* more than any queue here can hold */
#define FUZZ_MAX_LOG2 8			     /* queues of 1 to 256 entries */

struct fuzz_params {
	uint16_t size;
	uint64_t features;
	bool huge; /* every slot available, every indirect descriptor a full-size table */
	bool toggle_notify;
	bool hold;	/* push nothing until the queue is empty */
	uint8_t more;	/* when holding, chains the driver offers next */
	uint16_t start; /* where the queue's indices stand, as if it had run a while */
};

static struct fuzz_params fuzz_params(const uint8_t *data)
{
	return (struct fuzz_params){
		.size = 1u << ((data[0] & 0x7f) % (FUZZ_MAX_LOG2 + 1)),
		.huge = data[0] & 0x80,
		.features = (data[1] & 1 ? 1ULL << VIRTQ_F_INDIRECT_DESC : 0) |
			    (data[1] & 2 ? 1ULL << VIRTQ_F_EVENT_IDX : 0),
		.toggle_notify = data[1] & 4,
		.hold = data[1] & 8,
		.more = data[1] >> 4,
		.start = (uint16_t)(data[2] | data[3] << 8),
	};
}

/* Abort unless every segment of c lies in ram and the totals add up. */
static void fuzz_check_chain(const struct virtq_chain *c, const uint8_t *ram)
{
	uint64_t total = 0;
	unsigned i;

	if (c->nout + c->nin > VIRTQ_MAX_SEGS || c->out_len + c->in_len > (1ULL << 32))
		abort();
	for (i = 0; i < c->nout + c->nin; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		size_t len = c->iov[i].iov_len;

		if (p < ram || len > FUZZ_RAM + FUZZ_TABLE ||
		    (size_t)(p - ram) > FUZZ_RAM + FUZZ_TABLE - len)
			abort();
		total += len;
	}
	if (total != c->out_len + c->in_len)
		abort();
}

static void fuzz_push(struct virtq *q, const struct virtq_chain *c)
{
	/* The device keeps its side of the contract, so only a broken queue may refuse. */
	if (virtq_push(q, c, c->in_len > UINT32_MAX ? UINT32_MAX : c->in_len) && !q->broken)
		abort();
}

/* Pop until the queue is empty or broken; push each chain at once unless holding them. */
static unsigned fuzz_pass(struct virtq *q, const struct fuzz_params *fp, const uint8_t *ram,
			  struct virtq_chain *held, unsigned n)
{
	unsigned i;

	for (i = 0; i < FUZZ_LOOPS; i++) {
		uint64_t walked = q->walked;
		int r = virtq_pop(q, &held[n]);

		if (q->walked - walked > (uint64_t)q->size + VIRTQ_MAX_SIZE)
			abort(); /* one pop read more than its bound */
		if (r != 1)
			break;
		fuzz_check_chain(&held[n], ram);
		if (fp->hold)
			n++;
		else
			fuzz_push(q, &held[n]);
		virtq_needs_notify(q);
		if (fp->toggle_notify && i % 2)
			virtq_disable_notify(q);
		else if (fp->toggle_notify)
			virtq_enable_notify(q);
	}
	return n;
}

/* Holding, the driver then offers more (reusing ring slots) while chains are in flight,
 * which may be more than it may have in flight; all held chains are pushed at the end. */
static void fuzz_run(struct virtq *q, const struct fuzz_params *fp, const uint8_t *ram)
{
	/* One more than a queue may have in flight: virtq_pop() must refuse, not fill it. */
	static struct virtq_chain held[(1u << FUZZ_MAX_LOG2) + 1];
	unsigned i, n;

	n = fuzz_pass(q, fp, ram, held, 0);
	if (fp->hold) {
		q->avail_host->idx = htole16(le16toh(q->avail_host->idx) + fp->more);
		n = fuzz_pass(q, fp, ram, held, n);
	}
	for (i = 0; i < n; i++)
		fuzz_push(q, &held[i]);
}

/* The huge mode's driver: the table at FUZZ_RAM, chained end to end, one descriptor in 64
 * patterned on the input's own (its buffer, length and direction), the rest empty; every
 * indirect descriptor of the queue's table names all of it; every ring slot available. */
static void fuzz_huge(struct virtq *q, uint8_t *ram, uint16_t start)
{
	struct virtq_desc *t = (struct virtq_desc *)(ram + FUZZ_RAM);
	struct virtq_desc *qd = (struct virtq_desc *)ram;
	uint32_t i;

	for (i = 0; i < VIRTQ_MAX_SIZE; i++) {
		const struct virtq_desc *p = &qd[i % q->size];
		bool last = i + 1 == VIRTQ_MAX_SIZE;

		t[i] = (struct virtq_desc){
			.addr = p->addr,
			.len = i % 64 ? 0 : p->len,
			.flags = htole16((le16toh(p->flags) & VIRTQ_DESC_F_WRITE) |
					 (last ? 0 : VIRTQ_DESC_F_NEXT)),
			.next = htole16((uint16_t)(last ? 0 : i + 1)),
		};
	}
	for (i = 0; i < q->size; i++)
		if (le16toh(qd[i].flags) & VIRTQ_DESC_F_INDIRECT) {
			qd[i].addr = htole64(FUZZ_RAM);
			qd[i].len = htole32(FUZZ_TABLE);
		}
	q->avail_host->idx = htole16((uint16_t)(start + q->size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct fuzz_params fp;
	struct berth_error err;
	struct guest_mem gm;
	struct virtq q;
	uint64_t avail, used;

	if (size < FUZZ_HEAD)
		return 0;
	if (!ram)
		ram = aligned_alloc(4096, FUZZ_RAM + FUZZ_TABLE);
	fp = fuzz_params(data);
	memset(ram, 0, FUZZ_RAM + FUZZ_TABLE);
	memcpy(ram, data + FUZZ_HEAD, size - FUZZ_HEAD < FUZZ_RAM ? size - FUZZ_HEAD : FUZZ_RAM);
	gm_init_from(&gm, ram, FUZZ_RAM + FUZZ_TABLE);
	avail = VIRTQ_DESC_BYTES(fp.size);
	used = (avail + VIRTQ_AVAIL_BYTES(fp.size) + 3) & ~3ULL;
	if (virtq_init(&q, &gm, fp.size, 0, avail, used, fp.features, &err))
		abort();
	q.last_avail = q.used_idx = q.signalled_used = fp.start;
	if (fp.huge)
		fuzz_huge(&q, ram, fp.start);
	fuzz_run(&q, &fp, ram);
	return 0;
}

/* fuzz_virtq.c - libFuzzer target: a hostile driver's rings through the split virtqueue.
 *
 * The input is a small guest: its first bytes choose the queue size, the features and where
 * the 16-bit indices start; the rest becomes guest RAM from address 0, where the descriptor
 * table, available ring and used ring lie back to back. The device pops and pushes until
 * the queue is empty or broken. Every buffer handed out must lie inside the fake RAM. */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/queue.h"

#define FUZZ_RAM      (64u << 10)
#define FUZZ_HEAD     4	   /* parameter bytes before the RAM image */
#define FUZZ_LOOPS    1024 /* more than any queue here can hold */
#define FUZZ_MAX_LOG2 8	   /* queues of 1 to 256 entries */

struct fuzz_params {
	uint16_t size;
	uint64_t features;
	bool toggle_notify;
	bool hold;	/* push nothing until the queue is empty */
	uint8_t more;	/* when holding, chains the driver offers next */
	uint16_t start; /* where the queue's indices stand, as if it had run a while */
};

static struct fuzz_params fuzz_params(const uint8_t *data)
{
	return (struct fuzz_params){
		.size = 1u << (data[0] % (FUZZ_MAX_LOG2 + 1)),
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

		if (p < ram || len > FUZZ_RAM || (size_t)(p - ram) > FUZZ_RAM - len)
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

	for (i = 0; i < FUZZ_LOOPS && virtq_pop(q, &held[n]) == 1; i++) {
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
		ram = aligned_alloc(4096, FUZZ_RAM);
	fp = fuzz_params(data);
	memset(ram, 0, FUZZ_RAM);
	memcpy(ram, data + FUZZ_HEAD, size - FUZZ_HEAD < FUZZ_RAM ? size - FUZZ_HEAD : FUZZ_RAM);
	gm_init_from(&gm, ram, FUZZ_RAM);
	avail = VIRTQ_DESC_BYTES(fp.size);
	used = (avail + VIRTQ_AVAIL_BYTES(fp.size) + 3) & ~3ULL;
	if (virtq_init(&q, &gm, fp.size, 0, avail, used, fp.features, &err))
		abort();
	q.last_avail = q.used_idx = q.signalled_used = fp.start;
	fuzz_run(&q, &fp, ram);
	return 0;
}
